"""The ``Optimizer`` base class: parameter groups, per-parameter state, step hooks and state dicts in
PyTorch's format (parameters as integer indices, every hyperparameter kept per group)."""

from __future__ import annotations

import functools
import warnings
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable
from copy import deepcopy
from itertools import chain
from typing import Any

import numpy as np

from .._device import xp_of
from .._tensor import Tensor, _make
from ..autograd.grad_mode import STATE
from ..ops._core import bump_version
from ..utils.hooks import RemovableHandle

__all__ = ["Optimizer", "register_optimizer_step_pre_hook", "register_optimizer_step_post_hook", "required"]

_global_optimizer_pre_hooks: OrderedDict = OrderedDict()
_global_optimizer_post_hooks: OrderedDict = OrderedDict()


class _RequiredParameter:
    """Marks a hyperparameter every parameter group must give."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


def register_optimizer_step_pre_hook(hook: Callable) -> RemovableHandle:
    """Register a hook run before every optimizer's ``step``: ``hook(optimizer, args, kwargs)``."""
    handle = RemovableHandle(_global_optimizer_pre_hooks)
    _global_optimizer_pre_hooks[handle.id] = hook
    return handle


def register_optimizer_step_post_hook(hook: Callable) -> RemovableHandle:
    """Register a hook run after every optimizer's ``step``: ``hook(optimizer, args, kwargs)``."""
    handle = RemovableHandle(_global_optimizer_post_hooks)
    _global_optimizer_post_hooks[handle.id] = hook
    return handle


def _typename(obj) -> str:
    from .. import typename

    return typename(obj)


def _to_scalar(x):
    """A hyperparameter as a Python number (a one-element tensor gives its value)."""
    if isinstance(x, Tensor):
        return x.item()
    return x


def _get_value(x):
    """A step counter's value as a Python number."""
    return x.item() if isinstance(x, Tensor) else x


def _use_grad_for_differentiable(func: Callable) -> Callable:
    """Decorator for ``step``: grad mode on only when the group asks for ``differentiable``."""

    @functools.wraps(func)
    def wrapper(self, *args, **kwargs):
        prev = STATE.enabled
        STATE.enabled = bool(self.defaults.get("differentiable", False))
        try:
            return func(self, *args, **kwargs)
        finally:
            STATE.enabled = prev

    return wrapper


def _step_tensor(value: float = 0.0) -> Tensor:
    """``state['step']`` as PyTorch keeps it: a float32 0-d tensor."""
    return _make(np.array(value, dtype=np.float32))


def _incr(step_t: Tensor) -> float:
    """Add one to a step tensor in place and return the new count as a Python float."""
    a = step_t._data
    a += 1
    step_t._vc += 1
    return float(a)


_STATE_KEYS = (
    "_optimizer_step_pre_hooks",
    "_optimizer_step_post_hooks",
    "_optimizer_state_dict_pre_hooks",
    "_optimizer_state_dict_post_hooks",
    "_optimizer_load_state_dict_pre_hooks",
    "_optimizer_load_state_dict_post_hooks",
)


class Optimizer:
    """Base class of all optimizers.

    ``params`` is an iterable of tensors, of ``(name, tensor)`` pairs, or of dicts (parameter groups, each
    with its own hyperparameters); ``defaults`` fills what a group leaves out."""

    def __init__(self, params: Any, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        for k in _STATE_KEYS:
            setattr(self, k, OrderedDict())
        self._patch_step_function()
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or dicts, but got "
                + _typename(params)
            )
        self.state: defaultdict = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)
        self._warned_capturable_if_run_uncaptured = True

    # ------------------------------------------------------------------ pickling and printing
    def __getstate__(self) -> dict[str, Any]:
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        for k in _STATE_KEYS:
            if k not in self.__dict__:
                setattr(self, k, OrderedDict())
        self._patch_step_function()
        self.defaults.setdefault("differentiable", False)

    def __repr__(self) -> str:
        s = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            s += f"\nParameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    s += f"    {key}: {group[key]}\n"
        return s + ")"

    # ------------------------------------------------------------------ step hooks
    @staticmethod
    def profile_hook_step(func: Callable) -> Callable:
        """Wrap ``step`` so that the global and per-optimizer step hooks run around it."""

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            self = args[0]
            pre = self._optimizer_step_pre_hooks
            post = self._optimizer_step_post_hooks
            if not (pre or post or _global_optimizer_pre_hooks or _global_optimizer_post_hooks):
                return func(*args, **kwargs)
            for hook in chain(_global_optimizer_pre_hooks.values(), pre.values()):
                result = hook(self, args, kwargs)
                if result is not None:
                    if isinstance(result, tuple) and len(result) == 2:
                        args, kwargs = result
                    else:
                        raise RuntimeError(
                            f"{func} must return None or a tuple of (new_args, new_kwargs), but got {result}."
                        )
            out = func(*args, **kwargs)
            for hook in chain(post.values(), _global_optimizer_post_hooks.values()):
                hook(self, args, kwargs)
            return out

        return wrapper

    def _patch_step_function(self) -> None:
        self._zero_grad_profile_name = f"Optimizer.zero_grad#{self.__class__.__name__}.zero_grad"
        if not getattr(self.__class__.step, "hooked", None):
            self.__class__.step = self.profile_hook_step(self.__class__.step)
            self.__class__.step.hooked = True

    def register_step_pre_hook(self, hook: Callable) -> RemovableHandle:
        """Register ``hook(optimizer, args, kwargs) -> None or (args, kwargs)``, run before ``step``."""
        handle = RemovableHandle(self._optimizer_step_pre_hooks)
        self._optimizer_step_pre_hooks[handle.id] = hook
        return handle

    def register_step_post_hook(self, hook: Callable) -> RemovableHandle:
        """Register ``hook(optimizer, args, kwargs) -> None``, run after ``step``."""
        handle = RemovableHandle(self._optimizer_step_post_hooks)
        self._optimizer_step_post_hooks[handle.id] = hook
        return handle

    @staticmethod
    def _add_hook(store: OrderedDict, hook: Callable, prepend: bool) -> RemovableHandle:
        handle = RemovableHandle(store)
        store[handle.id] = hook
        if prepend:
            store.move_to_end(handle.id, last=False)
        return handle

    def register_state_dict_pre_hook(self, hook: Callable, prepend: bool = False) -> RemovableHandle:
        """Register ``hook(optimizer)``, run before ``state_dict()`` builds the dict."""
        return self._add_hook(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook: Callable, prepend: bool = False) -> RemovableHandle:
        """Register ``hook(optimizer, state_dict) -> state_dict or None``, run on the built dict."""
        return self._add_hook(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook: Callable, prepend: bool = False) -> RemovableHandle:
        """Register ``hook(optimizer, state_dict) -> state_dict or None``, run before loading."""
        return self._add_hook(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook: Callable, prepend: bool = False) -> RemovableHandle:
        """Register ``hook(optimizer)``, run after loading."""
        return self._add_hook(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    # ------------------------------------------------------------------ state dicts
    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state: ``{'state': {index: {...}}, 'param_groups': [{..., 'params': [indices]}]}``."""
        for hook in self._optimizer_state_dict_pre_hooks.values():
            hook(self)
        mapping: dict[int, int] = {}
        start = 0
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start):
                mapping.setdefault(id(p), i)
            packed["params"] = [mapping[id(p)] for p in group["params"]]
            start += len(packed["params"])
            groups.append(packed)
        packed_state = {(mapping[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()}
        state_dict = {"state": packed_state, "param_groups": groups}
        for hook in self._optimizer_state_dict_post_hooks.values():
            r = hook(self, state_dict)
            if r is not None:
                state_dict = r
        return state_dict

    @staticmethod
    def _process_value_according_to_param_policy(param, value, param_id, param_groups, key=None):
        fused = capturable = False
        for pg in param_groups:
            if param_id in pg["params"]:
                fused = pg.get("fused", False)
                capturable = pg.get("capturable", False)
                break
        if key == "step":
            if capturable or fused:
                return value.to(dtype=_float32(), device=param.device)
            return value
        if param.is_floating_point():
            return value.to(dtype=param.dtype, device=param.device)
        return value.to(device=param.device)

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a state dict made by ``state_dict()`` (here or by PyTorch) into this optimizer."""
        state_dict = state_dict.copy()
        for hook in self._optimizer_load_state_dict_pre_hooks.values():
            r = hook(self, state_dict)
            if r is not None:
                state_dict = r
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError(
                "loaded state dict contains a parameter group that doesn't match the size of optimizer's group"
            )
        id_map = dict(
            zip(
                chain.from_iterable(g["params"] for g in saved_groups), chain.from_iterable(g["params"] for g in groups)
            )
        )
        saved_pg = state_dict["param_groups"]

        def cast(param, value, param_id=None, key=None):
            if isinstance(value, Tensor):
                return Optimizer._process_value_according_to_param_policy(param, value, param_id, saved_pg, key)
            if isinstance(value, dict):
                return {k: cast(param, v, param_id, k) for k, v in value.items()}
            if isinstance(value, Iterable) and not isinstance(value, str):
                return type(value)(cast(param, v, param_id) for v in value)
            return value

        state: defaultdict = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = cast(param, v, k)
            else:
                state[k] = v

        new_groups = []
        for g, ng in zip(groups, saved_groups):
            ng["params"] = g["params"]
            if "param_names" in g and "param_names" not in ng:
                ng["param_names"] = g["param_names"]
            new_groups.append(ng)
        self.__setstate__({"state": state, "param_groups": new_groups})
        for hook in self._optimizer_load_state_dict_post_hooks.values():
            hook(self)

    # ------------------------------------------------------------------ gradients and groups
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of the optimized tensors: to None (default) or to zeros in place."""
        for group in self.param_groups:
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                if set_to_none:
                    p._grad = None
                else:
                    if g._grad_fn is not None:
                        g.detach_()
                    else:
                        g._requires_grad = False
                    a = g._data
                    if a.flags.writeable:
                        a.fill(0)
                        bump_version(g)
                    else:
                        g.zero_()

    def step(self, closure: Callable | None = None):
        """Perform one optimization step (``closure`` re-evaluates the model and returns the loss)."""
        raise NotImplementedError

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters (with its own hyperparameters) to ``param_groups``."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but "
                "the ordering of tensors in sets will change between runs. Please use a list instead."
            )
        else:
            param_group["params"] = list(params)
        tensors, names = [], []
        for p in param_group["params"]:
            if isinstance(p, tuple):
                names.append(p[0])
                tensors.append(p[1])
            else:
                tensors.append(p)
        param_group["params"] = tensors
        if names:
            if len(names) == len(tensors):
                param_group["param_names"] = names
            else:
                raise ValueError("all optimizer params should be with/without names. Some param names are missing")
        for p in tensors:
            if not isinstance(p, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is " + _typename(p))
            if not self.defaults.get("differentiable", None) and not (p.is_leaf or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter {name}")
            param_group.setdefault(name, default)
        params = param_group["params"]
        if len(params) != len(set(params)):
            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; "
                "in future, this will cause an error; "
                "see github.com/pytorch/pytorch/issues/40967 for more information",
                stacklevel=3,
            )
        seen: set = set()
        for group in self.param_groups:
            seen.update(group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                txt = "with names" if "param_names" in param_group else "without names"
                raise ValueError(
                    "all optimizer param groups should be with/without names. "
                    f"cannot add param group {txt} to the optimizer"
                )
        if not seen.isdisjoint(params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # ------------------------------------------------------------------ helpers for the subclasses
    def _scratch(self, a, slot: int = 0, dtype=None):
        """A reusable temporary shaped like array ``a`` (typed like it unless ``dtype`` is given): a view into one
        buffer per slot, dtype and array module; views are cached by shape."""
        views = self.__dict__.get("_views")
        dt = a.dtype if dtype is None else np.dtype(dtype)
        key = (slot, a.shape, dt, type(a))
        if views is not None:
            v = views.get(key)
            if v is not None:
                return v
        else:
            views = self.__dict__["_views"] = {}
            self.__dict__["_bufs"] = {}
        bufs = self.__dict__["_bufs"]
        bkey = (slot, dt, type(a))
        b = bufs.get(bkey)
        n = a.size
        if b is None or b.size < n:
            b = bufs[bkey] = xp_of(a).empty(max(n, 1), dt)
            for k in [k for k in views if (k[0], k[2], k[3]) == bkey]:
                del views[k]
        v = views[key] = b[:n].reshape(a.shape)
        return v


def _float32():
    from .. import float32

    return float32


def _no_grad_step(func: Callable) -> Callable:
    """Decorator: ``step`` runs with grad mode off, as PyTorch's optimizers do."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        prev = STATE.enabled
        STATE.enabled = False
        try:
            return func(*args, **kwargs)
        finally:
            STATE.enabled = prev

    return wrapper


_F32 = np.dtype(np.float32)
_F64 = np.dtype(np.float64)
# NumPy has no fused multiply-add. ``y + s * x`` goes to BLAS axpy (SciPy's, when installed: one pass, one
# rounding, PyTorch's bits); otherwise, and for elementwise products, float32 arrays up to this size are computed
# exactly through float64 (~4x the cost of a plain multiply and add) and larger ones round twice (within an ulp).
_EXACT_FMA_MAX = 1 << 14
_AXPY: dict | None = None


def _axpy_table() -> dict:
    global _AXPY
    if _AXPY is None:
        try:
            from scipy.linalg import blas
        except ImportError:  # pragma: no cover - scipy is optional
            _AXPY = {}
        else:
            _AXPY = {_F32: blas.saxpy, _F64: blas.daxpy}
    return _AXPY


def _fma(opt: Optimizer, y, s, x, out):
    """``out = y + s * x`` rounded once, as PyTorch's vectorised CPU kernels compute ``add(alpha=)``/``lerp``
    (a fused multiply-add). ``s`` is a number, taken at the arrays' precision."""
    dt = y.dtype
    if (
        s != 0
        and type(y) is np.ndarray
        and x.dtype == dt
        and y.flags.c_contiguous
        and x.flags.c_contiguous
        and out.flags.c_contiguous
    ):
        axpy = (_AXPY if _AXPY is not None else _axpy_table()).get(dt)
        if axpy is not None:
            if out is not y:
                np.copyto(out, y)
            axpy(x.reshape(-1), out.reshape(-1), a=s)
            return out
    xp = xp_of(y)
    if x.dtype == _F32 and dt == _F32 and x.size <= _EXACT_FMA_MAX:
        t = opt._scratch(x, 7, _F64)
        xp.multiply(x, np.float64(np.float32(s)), out=t)
        return xp.add(t, y, out=out)
    t = opt._scratch(x, 7)
    xp.multiply(x, s, out=t)
    return xp.add(y, t, out=out)


def _fma2(opt: Optimizer, y, x1, x2, out):
    """``out = y + x1 * x2`` rounded once (the last step of PyTorch's ``addcmul``)."""
    xp = xp_of(y)
    if x1.dtype == _F32 and y.dtype == _F32 and x1.size <= _EXACT_FMA_MAX:
        t = opt._scratch(x1, 7, _F64)
        xp.multiply(x1, x2, out=t, dtype=_F64)
        return xp.add(t, y, out=out)
    t = opt._scratch(x1, 7)
    xp.multiply(x1, x2, out=t)
    return xp.add(y, t, out=out)


def _lerp(opt: Optimizer, m, g, w, diff) -> None:
    """``m.lerp_(g, w)`` in place, with PyTorch's two formulas (small and large weights); ``diff`` is scratch."""
    xp_of(m).subtract(g, m, out=diff)
    if m.dtype == _F32:
        w32 = np.float32(w)
        w, rest = float(w32), float(np.float32(1) - w32)
    else:
        rest = 1 - w
    if abs(w) < 0.5:
        _fma(opt, m, w, diff, out=m)
    else:
        _fma(opt, g, -rest, diff, out=m)


def _addcmul_sq(opt: Optimizer, v, g, value, t) -> None:
    """``v.addcmul_(g, g, value=value)`` in place (``t`` is scratch)."""
    xp_of(v).multiply(g, value, out=t)
    _fma2(opt, v, t, g, out=v)


def _prepared_grad(opt: Optimizer, a, g, xp, maximize: bool, wd):
    """The gradient after ``maximize`` (negated) and L2 weight decay (``g + wd * p``), in scratch slots 0/1."""
    if maximize:
        g = xp.negative(g, out=opt._scratch(a, 0))
    if wd != 0:
        g = _fma(opt, g, wd, a, out=opt._scratch(a, 1))
    return g


def _zeros_state(a) -> Tensor:
    """A zero state tensor shaped and typed like parameter array ``a``."""
    return _make(xp_of(a).zeros_like(a))


def _check_betas_eps(lr, eps, betas, weight_decay) -> None:
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")
    if not 0.0 <= eps:
        raise ValueError(f"Invalid epsilon value: {eps}")
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
    if not 0.0 <= weight_decay:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")


def _check_lr(lr) -> None:
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")


def _tensor_steps(opt: Optimizer, keys=("step",)) -> None:
    """After unpickling an old state: counters kept as numbers become float32 0-d tensors."""
    for group in opt.param_groups:
        for p in group["params"]:
            st = opt.state.get(p)
            if st:
                for k in keys:
                    if k in st and not isinstance(st[k], Tensor):
                        st[k] = _step_tensor(float(st[k]))
