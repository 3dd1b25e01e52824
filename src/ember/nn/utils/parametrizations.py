"""Ready-made parametrizations: ``weight_norm``, ``spectral_norm`` and ``orthogonal``, built on
:func:`nn.utils.parametrize.register_parametrization`."""

from __future__ import annotations

from enum import Enum, auto

from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from ..modules.module import Module
from . import parametrize
from .spectral_norm import _is_conv_transpose, _matrix_arrays, _normalize_into, _normalized
from .weight_norm import _weight_norm, norm_except_dim

__all__ = ["orthogonal", "spectral_norm", "weight_norm"]


# ---------------------------------------------------------------------------- weight norm
class _WeightNorm(Module):
    def __init__(self, dim: int | None = 0) -> None:
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g: Tensor, weight_v: Tensor) -> Tensor:
        return _weight_norm(weight_v, weight_g, self.dim)

    def right_inverse(self, weight: Tensor):
        return norm_except_dim(weight, 2, self.dim), weight


def weight_norm(module: Module, name: str = "weight", dim: int = 0) -> Module:
    """Parametrize ``module.<name>`` as ``g * v / ||v||``: ``parametrizations.<name>.original0`` is the magnitude
    ``g`` (norm over every dim but ``dim``; ``dim=None`` for the whole tensor) and ``original1`` the direction
    ``v``. State dicts of the older hook-based ``weight_norm`` (``<name>_g``, ``<name>_v``) load into it."""
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)

    def _compat(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs):
        g_key, v_key = f"{prefix}{name}_g", f"{prefix}{name}_v"
        if g_key in state_dict and v_key in state_dict:
            g = state_dict.pop(g_key)
            v = state_dict.pop(v_key)
            state_dict[f"{prefix}parametrizations.{name}.original0"] = g
            state_dict[f"{prefix}parametrizations.{name}.original1"] = v

    module._register_load_state_dict_pre_hook(_compat)
    return module


# ---------------------------------------------------------------------------- spectral norm
class _SpectralNorm(Module):
    def __init__(self, weight: Tensor, n_power_iterations: int = 1, dim: int = 0, eps: float = 1e-12) -> None:
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError(f"Dimension out of range (expected to be in range of [-{ndim}, {ndim - 1}] but got {dim})")
        if n_power_iterations <= 0:
            raise ValueError(
                f"Expected n_power_iterations to be positive, but got n_power_iterations={n_power_iterations}"
            )
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            weight_mat = self._reshape_weight_to_matrix(weight.detach())
            h, w = weight_mat.shape
            u = weight_mat.new_empty(h).normal_(0, 1)
            v = weight_mat.new_empty(w).normal_(0, 1)
            self.register_buffer("_u", _normalized(u, self.eps))
            self.register_buffer("_v", _normalized(v, self.eps))
            self._power_method(weight_mat, 15)

    def _reshape_weight_to_matrix(self, weight: Tensor) -> Tensor:
        if weight.ndim <= 1:
            raise AssertionError(f"Expected weight to have more than 1 dimension, got {weight.ndim}")
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.dim()) if d != self.dim))
        return weight.flatten(1)

    def _power_method(self, weight_mat: Tensor, n_power_iterations: int) -> None:
        if weight_mat.ndim <= 1:
            raise AssertionError(f"Expected weight_mat to have more than 1 dimension, got {weight_mat.ndim}")
        w, wh = _matrix_arrays(weight_mat)
        u, v = self._u, self._v
        for _ in range(n_power_iterations):
            _normalize_into(u, w @ v._data, self.eps)
            _normalize_into(v, wh @ u._data, self.eps)

    def forward(self, weight: Tensor) -> Tensor:
        from ... import mv, vdot
        from .._functional.norm import normalize

        if weight.ndim == 1:
            return normalize(weight, dim=0, eps=self.eps)
        weight_mat = self._reshape_weight_to_matrix(weight)
        if self.training:
            self._power_method(weight_mat, self.n_power_iterations)
        u = self._u.clone()
        v = self._v.clone()
        sigma = vdot(u, mv(weight_mat, v))
        return weight / sigma

    def right_inverse(self, value: Tensor) -> Tensor:
        return value


def spectral_norm(
    module: Module, name: str = "weight", n_power_iterations: int = 1, eps: float = 1e-12, dim: int | None = None
) -> Module:
    """Parametrize ``module.<name>`` as ``W / sigma(W)``, ``sigma`` the largest singular value estimated by
    power iteration (``n_power_iterations`` steps on each access in training mode; the vectors are the buffers
    ``parametrizations.<name>.0._u`` and ``._v``). ``dim`` (default 0, 1 for transposed convolutions) is the
    output dimension."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        dim = 1 if _is_conv_transpose(module) else 0
    parametrize.register_parametrization(module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module


# ---------------------------------------------------------------------------- orthogonal
class _OrthMaps(Enum):
    matrix_exp = auto()
    cayley = auto()
    householder = auto()


def _is_orthogonal(q: Tensor) -> bool:
    from ... import allclose, eye, finfo

    n, k = q.size(-2), q.size(-1)
    ident = eye(k, dtype=q.dtype, device=q.device)
    return allclose(q.mH @ q, ident, atol=10.0 * n * finfo(q.dtype).eps)


def _make_orthogonal(a: Tensor) -> Tensor:
    """The Q of A's QR decomposition with its columns signed so that R's diagonal is positive."""
    from ... import geqrf, linalg

    x, tau = geqrf(a)
    q = linalg.householder_product(x, tau)
    return q * x.diagonal(dim1=-2, dim2=-1).sgn().unsqueeze(-2)


def _skew_map(x: Tensor, kind: _OrthMaps) -> Tensor:
    """The first ``k`` columns of ``exp(A)`` or of the Cayley transform of ``A``, ``A`` the skew-symmetric
    (skew-Hermitian) matrix built from the lower triangle of the tall ``n x k`` matrix ``x``, padded to square."""
    from ... import cat, eye, linalg, matrix_exp

    rows, cols = x.size(-2), x.size(-1)
    low = x.tril()
    if rows != cols:
        pad = low.new_zeros(rows, rows - cols).expand(*low.shape[:-2], -1, -1)
        low = cat([low, pad], dim=-1)
    skew = low - low.mH
    if kind is _OrthMaps.matrix_exp:
        q = matrix_exp(skew)
    else:
        ident = eye(rows, dtype=skew.dtype, device=skew.device)
        q = linalg.solve(ident.add(skew, alpha=-0.5), ident.add(skew, alpha=0.5))
    return q[..., :cols] if rows != cols else q


def _householder_map(x: Tensor) -> Tensor:
    """The product of the Householder reflectors stored below the diagonal of ``x`` (with the scalar factors of
    unit-norm reflectors), its columns signed by the integer part of ``x``'s diagonal."""
    from ... import linalg

    reflectors = x.tril(diagonal=-1)
    tau = 2.0 / (1.0 + (reflectors * reflectors).sum(dim=-2))
    q = linalg.householder_product(reflectors, tau)
    return q * x.diagonal(dim1=-2, dim2=-1).int().unsqueeze(-2)


class _Orthogonal(Module):
    base: Tensor

    def __init__(self, weight: Tensor, orthogonal_map: _OrthMaps, *, use_trivialization: bool = True) -> None:
        super().__init__()
        if weight.is_complex() and orthogonal_map == _OrthMaps.householder:
            raise ValueError("The householder parametrization does not support complex tensors.")
        self.shape = weight.shape
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, X: Tensor) -> Tensor:
        # work on a tall matrix (rows >= columns); a wide one is handled through its transpose
        wide = X.size(-2) < X.size(-1)
        tall = X.mT if wide else X
        if self.orthogonal_map is _OrthMaps.householder:
            q = _householder_map(tall)
        else:
            q = _skew_map(tall, self.orthogonal_map)
        if hasattr(self, "base"):
            q = self.base @ q
        return q.mT if wide else q

    def right_inverse(self, Q: Tensor) -> Tensor:
        """Original tensor for which the map gives ``Q``: with a trivialization, ``base`` becomes ``Q``
        (orthogonalized, and completed to a square matrix) and the original ``-I``, which the map sends to
        ``I``; without one, the Householder reflectors of ``Q``."""
        from ... import cat, geqrf, randn, zeros_like

        if Q.shape != self.shape:
            raise ValueError(
                f"Expected a matrix or batch of matrices of shape {self.shape}. Got a tensor of shape {Q.shape}."
            )
        with no_grad():
            wide = Q.size(-2) < Q.size(-1)
            tall = Q.mT if wide else Q
            rows, cols = tall.size(-2), tall.size(-1)
            if not hasattr(self, "base"):
                if self.orthogonal_map is not _OrthMaps.householder:
                    raise NotImplementedError(
                        "It is not possible to assign to the matrix exponential or the Cayley parametrizations "
                        "when use_trivialization=False."
                    )
                refl, tau = geqrf(tall)
                diag = refl.diagonal(dim1=-2, dim2=-1)
                diag.sign_()
                diag[tau == 0.0] *= -1
                return refl.mT if wide else refl
            if rows == cols:
                self.base = tall.clone() if _is_orthogonal(tall) else _make_orthogonal(tall)
            else:
                extra = randn(*tall.shape[:-2], rows, rows - cols, dtype=tall.dtype, device=tall.device)
                self.base = _make_orthogonal(cat([tall, extra], dim=-1))
            minus_id = zeros_like(Q)
            minus_id.diagonal(dim1=-2, dim2=-1).fill_(-1.0)
            return minus_id


def orthogonal(
    module: Module, name: str = "weight", orthogonal_map: str | None = None, *, use_trivialization: bool = True
) -> Module:
    """Parametrize the matrix (or batch of matrices) ``module.<name>`` to stay orthogonal (unitary), through
    ``orthogonal_map`` ``"matrix_exp"``, ``"cayley"`` or ``"householder"`` (default: matrix_exp for square or
    complex matrices, householder otherwise)."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if weight.ndim < 2:
        raise ValueError(f"Expected a matrix or batch of matrices. Got a tensor of {weight.ndim} dimensions.")
    if orthogonal_map is None:
        orthogonal_map = "matrix_exp" if weight.size(-2) == weight.size(-1) or weight.is_complex() else "householder"
    orth_enum = getattr(_OrthMaps, orthogonal_map, None)
    if orth_enum is None:
        raise ValueError(
            f'orthogonal_map has to be one of "matrix_exp", "cayley", "householder". Got: {orthogonal_map}'
        )
    orth = _Orthogonal(weight, orth_enum, use_trivialization=use_trivialization)
    parametrize.register_parametrization(module, name, orth, unsafe=True)
    return module
