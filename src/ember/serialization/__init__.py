"""``ember.save`` / ``ember.load`` in PyTorch's checkpoint format (a zip archive holding a pickle and one
record per storage), safe (``weights_only``) loading by default, and atomic saves to paths."""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import sys
import tempfile
import threading
from typing import Any, Callable

import numpy as np

from ._pickler import Pickler, storage_bytes
from ._unpickler import UNSAFE_MESSAGE as UNSAFE_MESSAGE
from ._unpickler import (
    Storage,
    Unpickler,
    _check_location,
    _GlobalRefused,
    _StorageType,
    to_device,
    weights_only_error,
)
from ._zip import ZipReader, ZipWriter

DEFAULT_PROTOCOL = 2
MAGIC_NUMBER = 0x1950A86A20F9469CFC6C
PROTOCOL_VERSION = 1001

__all__ = [
    "save",
    "load",
    "add_safe_globals",
    "get_safe_globals",
    "clear_safe_globals",
    "safe_globals",
    "get_unsafe_globals_in_checkpoint",
    "DEFAULT_PROTOCOL",
]

# ---------------------------------------------------------------------------- allowlist
_safe = []
_safe_lock = threading.Lock()


def add_safe_globals(safe_globals: list) -> None:
    """Allow these functions/classes (or ``(obj, "module.name")`` pairs) in ``weights_only`` loads."""
    with _safe_lock:
        _safe.extend(safe_globals)


def get_safe_globals() -> list:
    """The user-allowed globals for ``weights_only`` loads."""
    return list(_safe)


def clear_safe_globals() -> None:
    """Forget every global added with :func:`add_safe_globals`."""
    with _safe_lock:
        _safe.clear()


class safe_globals:
    """Context manager: allow ``safe_globals`` in ``weights_only`` loads inside the block only."""

    def __init__(self, safe_globals: list):
        self.safe_globals = list(safe_globals)

    def __enter__(self):
        with _safe_lock:
            self._before = list(_safe)
            _safe.extend(self.safe_globals)

    def __exit__(self, *exc):
        with _safe_lock:
            _safe[:] = self._before
        return False


def _safe_table() -> dict:
    table = {}
    for g in _safe:
        if isinstance(g, tuple):
            obj, name = g
        else:
            obj = g
            name = f"{getattr(obj, '__module__', '')}.{getattr(obj, '__qualname__', getattr(obj, '__name__', ''))}"
        table[name] = obj
    return table


def get_unsafe_globals_in_checkpoint(f) -> list:
    """The globals in a (zip) checkpoint's pickle that a ``weights_only`` load would refuse, in order of use."""
    import pickletools

    from ._unpickler import torch_map

    fh, owned = _open_read(f)
    try:
        start = fh.tell()
        src = fh if start == 0 else _Window(fh, start)
        pkl = ZipReader(src).read("data.pkl")
    finally:
        if owned:
            fh.close()
    found, strings = {}, []
    for op, arg, _ in pickletools.genops(pkl):
        if op.name in ("GLOBAL", "INST"):
            found[".".join(arg.split(" ", 1))] = None
        elif op.name == "STACK_GLOBAL" and len(strings) >= 2:
            found[f"{strings[-2]}.{strings[-1]}"] = None
        if isinstance(arg, str) and op.name.endswith(("UNICODE", "STRING")):
            strings.append(arg)
    allowed = set(torch_map()) | set(_safe_table())
    return [g for g in found if _compat_name(g) not in allowed]


def _compat_name(full: str) -> str:
    import _compat_pickle

    module, _, name = full.rpartition(".")
    if (module, name) in _compat_pickle.NAME_MAPPING:
        return ".".join(_compat_pickle.NAME_MAPPING[(module, name)])
    return f"{_compat_pickle.IMPORT_MAPPING.get(module, module)}.{name}"


# ---------------------------------------------------------------------------- save
def _is_path(f) -> bool:
    return isinstance(f, (str, os.PathLike))


def _write_archive(fh, pickler, pkl: bytes, archive: str, byteorder_record: bool, sync_fd=None) -> None:
    zw = ZipWriter(fh, archive, sync_fd if hasattr(os, "fdatasync") else None)
    try:
        _write_records(zw, pickler, pkl, byteorder_record)
    finally:
        zw.finish()


def _write_records(zw, pickler, pkl, byteorder_record):
    zw.write("data.pkl", pkl)
    zw.write(".format_version", b"1")
    zw.write(".storage_alignment", b"64")
    if byteorder_record:
        zw.write("byteorder", sys.byteorder.encode())
    for key, owner, lo, n in pickler.records:
        zw.write("data/" + key, storage_bytes(owner, lo, n))
    zw.write("version", b"3\n")
    zw.write(".data/serialization_id", f"{int.from_bytes(os.urandom(16), 'little'):040d}"[:40].encode())
    zw.close()


def _umask() -> int:
    m = os.umask(0)
    os.umask(m)
    return m


def save(
    obj: object,
    f,
    pickle_module: Any = pickle,
    pickle_protocol: int = DEFAULT_PROTOCOL,
    _use_new_zipfile_serialization: bool = True,
    _disable_byteorder_record: bool = False,
) -> None:
    """Save ``obj`` to ``f`` (a path or a binary file object) in PyTorch's checkpoint format.

    Saving to a path is atomic: the archive is written to a temporary file beside the target, flushed,
    fsynced and renamed over it, so an interrupted save leaves any previous file intact."""
    if not _use_new_zipfile_serialization:
        raise NotImplementedError(
            "ember.save writes PyTorch's zip format only (_use_new_zipfile_serialization=False is not supported)"
        )
    buf = io.BytesIO()
    pickler = Pickler(buf, pickle_protocol)
    pickler.dump(obj)
    pkl = buf.getvalue()
    byteorder = not _disable_byteorder_record
    if not _is_path(f):
        if not hasattr(f, "write"):
            raise AttributeError("expected 'f' to be string, path, or a file-like object with a 'write' attribute")
        _write_archive(f, pickler, pkl, "archive", byteorder)
        return
    path = os.fspath(f)
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    directory, base = os.path.split(os.path.abspath(path))
    archive = os.path.splitext(base)[0] or "archive"
    if os.path.isdir(path):
        raise IsADirectoryError(f"[Errno 21] Is a directory: '{path}'")
    if not os.path.isdir(directory):
        raise RuntimeError(f"Parent directory {directory} does not exist.")
    try:
        mode = os.stat(path).st_mode & 0o7777
    except OSError:
        mode = 0o666 & ~_umask()
    # the temporary name starts with '.' and ends with '.tmp': never the target's name, hidden from listings
    fd, tmp = tempfile.mkstemp(prefix=f".{base}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            _write_archive(fh, pickler, pkl, archive, byteorder, fh.fileno())
            fh.flush()
            os.fchmod(fh.fileno(), mode)
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        dfd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


# ---------------------------------------------------------------------------- load
def _env_true(name: str) -> bool:
    return os.environ.get(name, "0").strip().lower() in ("1", "y", "yes", "true")


class _Loader:
    """Loads each storage of an archive once, on the device ``map_location`` picks."""

    def __init__(self, reader: ZipReader, map_location, mm, swap: bool):
        self.reader = reader
        self.map_location = map_location
        self.mm = mm
        self.swap = swap
        self.loaded = {}

    def storage(self, pid):
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage"):
            raise RuntimeError(f"Unknown saved id type: {pid[0] if isinstance(pid, tuple) and pid else pid!r}")
        _, stype, key, location, numel = pid
        if not isinstance(stype, _StorageType) or not isinstance(key, str) or type(numel) is not int or numel < 0:
            raise RuntimeError(f"invalid storage id {pid!r}")
        st = self.loaded.get(key)
        if st is not None:
            return st
        dt = np.dtype(np.uint8) if stype.dtype is None else stype.dtype.np
        nbytes = numel * dt.itemsize
        name = "data/" + key
        if self.reader.size(name) != nbytes:
            raise RuntimeError(
                f"PytorchStreamReader failed reading file {name}: the record holds {self.reader.size(name)} bytes, "
                f"the storage needs {nbytes}"
            )
        arr = None
        if self.mm is not None:
            off = self.reader.offset(name)
            if off is not None and off % dt.itemsize == 0 and off + nbytes <= self.mm.size:
                arr = self.mm[off : off + nbytes].view(dt)
        if arr is None:
            arr = np.empty(numel, dt)
            self.reader.readinto(name, arr.view(np.uint8))
        if self.swap:
            arr = arr.byteswap(inplace=self.mm is None)
        st = Storage(np.asarray(arr))
        _check_location(location)
        st = self._place(st, location)
        self.loaded[key] = st
        return st

    def _place(self, st: Storage, location: str) -> Storage:
        ml = self.map_location
        if ml is None:
            target = location
        elif isinstance(ml, dict):
            target = ml.get(location, location)
        elif callable(ml) and not isinstance(ml, str):
            res = ml(st, location)
            if res is None:
                target = location
            elif isinstance(res, Storage):
                return res
            else:
                raise RuntimeError(f"map_location should return a storage or None, got {type(res).__name__}")
        else:
            target = ml
        arr = to_device(st.array, target)
        return st if arr is st.array else Storage(arr)


def _open_read(f):
    if _is_path(f):
        return open(f, "rb"), True
    if not hasattr(f, "read"):
        raise AttributeError("expected 'f' to be string, path, or a file-like object with a 'read' attribute")
    try:
        seekable = f.seekable()
    except AttributeError:
        seekable = hasattr(f, "seek") and hasattr(f, "tell")
    if not seekable:
        return io.BytesIO(f.read()), True
    return f, False


class _Window:
    """A file object seen from ``start`` on (a checkpoint stored after other data in an open file)."""

    def __init__(self, f, start):
        self.f, self.start = f, start

    def seek(self, pos, whence=0):
        if whence == 0:
            return self.f.seek(self.start + pos) - self.start
        return self.f.seek(pos, whence) - self.start

    def tell(self):
        return self.f.tell() - self.start

    def read(self, n=-1):
        return self.f.read(n)

    def readinto(self, b):
        return self.f.readinto(b)

    def seekable(self):
        return True


def load(
    f,
    map_location: Callable | Any = None,
    pickle_module: Any = None,
    *,
    weights_only: bool | None = None,
    mmap: bool | None = None,
    **pickle_load_args: Any,
) -> Any:
    """Load an object saved with ``ember.save`` or ``torch.save``.

    ``weights_only`` (the default) unpickles only tensors, containers and the other types PyTorch allows,
    plus :func:`add_safe_globals`; ``map_location`` (a device, a string, a dict of location strings, or
    ``fn(storage, location)``) chooses where storages go; ``mmap`` maps the file's records instead of
    reading them."""
    if _env_true("TORCH_FORCE_WEIGHTS_ONLY_LOAD"):
        weights_only = True
    elif weights_only is None:
        weights_only = pickle_module is None and not _env_true("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD")
    if weights_only and pickle_module is not None:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is specified")
    if mmap and not _is_path(f):
        raise ValueError("f must be a file path in order to use the mmap argument")
    pickle_load_args.setdefault("encoding", "utf-8")
    fh, owned = _open_read(f)
    try:
        return _load(fh, f, map_location, weights_only, bool(mmap), pickle_load_args)
    finally:
        if owned:
            fh.close()


def _load(fh, f, map_location, weights_only, mmap, pickle_load_args):
    start = fh.tell()
    magic = fh.read(4)
    fh.seek(start)
    if magic != b"PK\x03\x04":
        if not magic:
            raise EOFError()
        return _guarded(lambda: _legacy_load(fh, map_location, weights_only, pickle_load_args), weights_only)
    src = fh if start == 0 else _Window(fh, start)
    reader = ZipReader(src)
    pkl = reader.read("data.pkl")
    if not reader.has("version"):
        raise RuntimeError(
            'Expected hasRecord("version") to be true, but got false.  (Could this error message be improved?  '
            "If so, please report an enhancement request to PyTorch.)"
        )
    order = reader.read("byteorder").decode("ascii", "replace") if reader.has("byteorder") else "little"
    if order not in ("little", "big"):
        raise RuntimeError(f"Unknown endianness type: {order}")
    mm = None
    if mmap:
        mm = np.memmap(os.fspath(f), dtype=np.uint8, mode="c")
    loader = _Loader(reader, map_location, mm, order != sys.byteorder)
    up = Unpickler(io.BytesIO(pkl), loader, weights_only, _safe_table() if weights_only else {}, **pickle_load_args)
    return _guarded(up.load, weights_only)


def _guarded(fn, weights_only):
    """Run an unpickling step, turning what it raises into the errors ``torch.load`` raises."""
    try:
        return fn()
    except _GlobalRefused as e:
        raise weights_only_error(str(e), e.allowlistable) from None
    except pickle.UnpicklingError as e:
        if weights_only:
            raise weights_only_error(str(e)) from None
        raise
    except RuntimeError:
        raise
    except Exception as e:  # a malformed pickle meeting an allowed callable
        if weights_only:
            raise weights_only_error(f"{type(e).__name__}: {e}") from None
        raise


class _LegacyLoader(_Loader):
    """Storages of a legacy (pre-zip) checkpoint: their data follow the pickle, so the pickle is read twice,
    once to learn the storages and once, after their data are in, to build the objects on their devices."""

    def __init__(self, map_location, swap):
        super().__init__(None, map_location, None, swap)
        self.arrays = {}  # key -> (host array, location)
        self.placed = None

    def storage(self, pid):
        if not (isinstance(pid, tuple) and len(pid) == 6 and pid[0] == "storage"):
            raise RuntimeError(f"Unknown saved id type: {pid[0] if isinstance(pid, tuple) and pid else pid!r}")
        _, stype, key, location, numel, view = pid
        if not isinstance(stype, _StorageType) or not isinstance(key, str) or type(numel) is not int or numel < 0:
            raise RuntimeError(f"invalid storage id {pid!r}")
        _check_location(location)
        if self.placed is None:  # first pass
            if key not in self.arrays:
                dt = np.dtype(np.uint8) if stype.dtype is None else stype.dtype.np
                self.arrays[key] = (np.empty(numel, dt), location)
            st = Storage(self.arrays[key][0])
        else:
            st = self.placed.get(key)
            if st is None:
                st = self.placed[key] = self._place(Storage(self.arrays[key][0]), location)
        if view is not None:
            vkey, offset, size = view
            cached = self.loaded.get((self.placed is None, vkey))
            if cached is None:
                cached = self.loaded[(self.placed is None, vkey)] = Storage(st.array[offset : offset + size])
            st = cached
        return st


def _legacy_load(fh, map_location, weights_only, args):
    safe = _safe_table() if weights_only else {}
    loader = _LegacyLoader(map_location, False)

    def one():
        return Unpickler(fh, loader, weights_only, safe, **args).load()

    if one() != MAGIC_NUMBER:
        raise RuntimeError("Invalid magic number; corrupt file?")
    version = one()
    if version != PROTOCOL_VERSION:
        raise RuntimeError(f"Invalid protocol version: {version}")
    info = one()
    if isinstance(info, dict) and info.get("little_endian") is False:
        loader.swap = sys.byteorder == "little"
    start = fh.tell()
    one()  # first pass: the storages
    keys = one()
    if not isinstance(keys, list):
        raise RuntimeError("corrupt legacy checkpoint: no storage key list after the pickle")
    for key in keys:
        head = fh.read(8)
        if len(head) != 8 or key not in loader.arrays:
            raise RuntimeError(f"corrupt legacy checkpoint: storage {key} is missing")
        arr = loader.arrays[key][0]
        numel = int.from_bytes(head, sys.byteorder if not loader.swap else "big", signed=True)
        if numel != arr.size:
            raise RuntimeError(f"corrupt legacy checkpoint: storage {key} holds {numel} elements, expected {arr.size}")
        mv = memoryview(arr.view(np.uint8))
        got = 0
        while got < len(mv):
            k = fh.readinto(mv[got:])
            if not k:
                raise RuntimeError(f"corrupt legacy checkpoint: storage {key} is truncated")
            got += k
        if loader.swap:
            arr.byteswap(inplace=True)
    end = fh.tell()
    fh.seek(start)
    loader.placed = {}
    loader.loaded = {}
    result = one()  # second pass: the objects, over the filled storages
    fh.seek(end)
    return result
