"""``ember.autograd.graph``: Node as a public name and saved-tensor hooks (accepted, not used)."""

from __future__ import annotations

from .node import Node  # noqa: F401


class saved_tensors_hooks:
    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook, self.unpack_hook = pack_hook, unpack_hook

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class save_on_cpu(saved_tensors_hooks):
    def __init__(self, pin_memory=False, device_type="cuda"):
        super().__init__(None, None)
