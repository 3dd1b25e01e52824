"""``RemovableHandle``: what every ``register_*_hook`` returns; ``remove()`` takes the hook off again."""

from __future__ import annotations

import weakref


class RemovableHandle:
    """A handle on a hook stored in one or more dicts (keyed by a unique id); ``remove()`` deletes it from all.

    ``extra_dict`` names further dicts (e.g. the hooks' kwargs flags) the id must leave with it."""

    next_id = 0

    def __init__(self, hooks_dict, *, extra_dict=None):
        self.hooks_dict_ref = weakref.ref(hooks_dict)
        self.id = RemovableHandle.next_id
        RemovableHandle.next_id += 1
        if extra_dict is None:
            extra = ()
        elif isinstance(extra_dict, list):
            extra = extra_dict
        else:
            extra = [extra_dict]
        self.extra_dict_ref = tuple(weakref.ref(d) for d in extra)

    def remove(self) -> None:
        for ref in (self.hooks_dict_ref, *self.extra_dict_ref):
            d = ref()
            if d is not None and self.id in d:
                del d[self.id]
        on_remove = getattr(self, "_on_remove", None)
        if on_remove is not None:
            on_remove()

    def __getstate__(self):
        d = self.hooks_dict_ref()
        return (d, self.id, tuple(r() for r in self.extra_dict_ref))

    def __setstate__(self, state):
        d, self.id, extra = state
        self.hooks_dict_ref = weakref.ref({} if d is None else d)
        self.extra_dict_ref = tuple(weakref.ref(e) for e in extra if e is not None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()
