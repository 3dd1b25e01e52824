"""Grad modes: no_grad, enable_grad, set_grad_enabled, inference_mode.

The state lives in one small object read on every op's path (``STATE.enabled``)."""

from __future__ import annotations

import functools


class _State:
    __slots__ = ("enabled", "inference", "anomaly", "anomaly_nan")

    def __init__(self):
        self.enabled = True
        self.inference = False
        self.anomaly = False
        self.anomaly_nan = True


STATE = _State()


def is_grad_enabled() -> bool:
    """Whether ops record a graph for autograd right now."""
    return STATE.enabled


def is_inference_mode_enabled() -> bool:
    return STATE.inference


class _Mode:
    """Base for grad-mode context managers that can also decorate functions."""

    _target = True

    def __enter__(self):
        self._prev = STATE.enabled
        STATE.enabled = self._target

    def __exit__(self, *exc):
        STATE.enabled = self._prev
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__.__new__(self.__class__)._clone(self):
                return fn(*args, **kwargs)

        return wrapper

    def _clone(self, other):
        self.__dict__.update(other.__dict__)
        return self

    def clone(self):
        return self.__class__.__new__(self.__class__)._clone(self)


class no_grad(_Mode):
    """Context manager and decorator that turns graph recording off."""

    _target = False

    def __init__(self, orig_func=None):
        self._orig = orig_func

    def __new__(cls, orig_func=None):
        self = super().__new__(cls)
        if orig_func is not None and callable(orig_func):
            self.__init__()
            return self(orig_func)
        return self


class enable_grad(_Mode):
    """Context manager and decorator that turns graph recording on."""

    _target = True


class set_grad_enabled(_Mode):
    """Turn graph recording on or off; works as a function, a context manager or a decorator."""

    def __init__(self, mode: bool):
        self._prev = STATE.enabled
        self._target = bool(mode)
        STATE.enabled = self._target

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        STATE.enabled = self._prev
        return False

    def __call__(self, fn):
        target = self._target
        STATE.enabled = self._prev

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            prev = STATE.enabled
            STATE.enabled = target
            try:
                return fn(*args, **kwargs)
            finally:
                STATE.enabled = prev

        return wrapper


class inference_mode(_Mode):
    """Like no_grad, for inference; ``inference_mode(False)`` is a no-op."""

    def __init__(self, mode: bool = True):
        self.mode = mode
        self._target = not mode if mode else STATE.enabled

    def __new__(cls, mode=True):
        self = super().__new__(cls)
        if callable(mode):
            self.__init__(True)
            return self(mode)
        return self

    def __enter__(self):
        self._prev = STATE.enabled
        self._prev_inf = STATE.inference
        if self.mode:
            STATE.enabled = False
            STATE.inference = True

    def __exit__(self, *exc):
        STATE.enabled = self._prev
        STATE.inference = self._prev_inf
        return False
