"""``ember.cuda``: GPU availability and device queries, backed by CuPy when it is installed."""

from __future__ import annotations

from ._device import cuda_available, cupy_module


def is_available() -> bool:
    """Whether a CUDA GPU and CuPy are usable."""
    return cuda_available()


def device_count() -> int:
    if not cuda_available():
        return 0
    return int(cupy_module().cuda.runtime.getDeviceCount())


def current_device() -> int:
    return int(cupy_module().cuda.Device().id)


def set_device(device) -> None:
    idx = (
        device
        if isinstance(device, int)
        else (device.index or 0 if hasattr(device, "index") else int(str(device).split(":")[-1]))
    )
    cupy_module().cuda.Device(idx).use()


def synchronize(device=None) -> None:
    if cuda_available():
        cupy_module().cuda.Device().synchronize()


def manual_seed(seed) -> None:
    if cuda_available():
        cupy_module().random.seed(int(seed))


manual_seed_all = manual_seed


def get_device_name(device=None) -> str:
    cp = cupy_module()
    return cp.cuda.runtime.getDeviceProperties(cp.cuda.Device().id)["name"].decode()


def is_initialized() -> bool:
    return cuda_available()


def empty_cache() -> None:
    if cuda_available():
        cupy_module().get_default_memory_pool().free_all_blocks()


def memory_allocated(device=None) -> int:
    if not cuda_available():
        return 0
    return int(cupy_module().get_default_memory_pool().used_bytes())
