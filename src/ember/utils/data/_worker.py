"""What runs inside a DataLoader worker process: seeding, ``get_worker_info``, the fetch loop,
and the wrapper that carries a worker's exception (with its traceback text) to the main process."""

from __future__ import annotations

import contextlib
import faulthandler
import itertools
import os
import pickle
import random
import shutil
import signal
import sys
import traceback
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["WorkerInfo", "get_worker_info"]

# how often an idle worker checks the done event and that the main process still lives (seconds)
_WATCHDOG_INTERVAL = 0.1


class WorkerInfo:
    """Read-only facts about the current worker: ``id``, ``num_workers``, ``seed``, ``dataset``."""

    id: int
    num_workers: int
    seed: int
    dataset: Any

    def __init__(self, **kwargs) -> None:
        for k, v in kwargs.items():
            object.__setattr__(self, k, v)
        object.__setattr__(self, "_WorkerInfo__keys", tuple(kwargs))
        object.__setattr__(self, "_WorkerInfo__initialized", True)

    def __setattr__(self, key, val):
        if getattr(self, "_WorkerInfo__initialized", False):
            raise RuntimeError(f"Cannot assign attributes to {self.__class__.__name__} objects")
        object.__setattr__(self, key, val)

    def __repr__(self) -> str:
        items = ", ".join(f"{k}={getattr(self, k)}" for k in self.__keys)
        return f"{self.__class__.__name__}({items})"


_worker_info: WorkerInfo | None = None


def _exit_with_parent(parent, folder):
    """On Linux, ask the kernel to signal this worker when the process that started it dies (even by
    SIGKILL): a worker blocked in a read or a write would otherwise outlive it. The handler removes the
    loader's folder and exits; it ignores the signal while ``parent`` lives (the thread that forked us
    ended, not the process). Elsewhere the idle watchdog alone notices the main process is gone."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return

    def on_parent_death(signum, frame):
        if os.getppid() != parent:
            shutil.rmtree(folder, ignore_errors=True)
            os._exit(0)

    signal.signal(signal.SIGUSR2, on_parent_death)
    prctl(1, int(signal.SIGUSR2))  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # it died before the request took effect
        on_parent_death(None, None)


def get_worker_info() -> WorkerInfo | None:
    """The current worker's ``WorkerInfo`` inside a DataLoader worker process; ``None`` in the
    main process."""
    return _worker_info


class _KeyErrorMessage(str):
    """A KeyError message shown as written (KeyError otherwise prints its argument's repr)."""

    def __repr__(self):
        return self


class ExceptionWrapper:
    """An exception with its formatted traceback, picklable, re-raised in another process."""

    def __init__(self, exc_info=None, where: str = "in background") -> None:
        if exc_info is None:
            exc_info = sys.exc_info()
        self.exc_type = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where
        try:
            pickle.dumps(self.exc_type)
        except Exception:
            self.exc_type = RuntimeError

    def reraise(self):
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = _KeyErrorMessage(msg)
        elif getattr(self.exc_type, "message", None):
            raise self.exc_type(message=msg)
        try:
            exc = self.exc_type(msg)
        except Exception:
            raise RuntimeError(msg) from None
        raise exc


@dataclass(frozen=True)
class _IterableDatasetStopIteration:
    worker_id: int


@dataclass(frozen=True)
class _ResumeIteration:
    """Sent to persistent workers at the start of each new pass."""


def _numpy_seed(base_seed: int, worker_id: int) -> np.ndarray:
    """Four 32-bit words for ``numpy.random.seed``: a SeedSequence hash of
    (worker_id, low and high words of base_seed), as PyTorch derives them."""
    return np.random.SeedSequence(worker_id + (base_seed << 32)).generate_state(4)


class _MapFetcher:
    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        self._rows = _fast_rows(dataset, collate_fn) if auto_collation else None
        self._getitems = getattr(dataset, "__getitems__", None) if auto_collation else None

    def fetch(self, index):
        if self._rows is not None:
            return self._rows(index)
        if self.auto_collation:
            if callable(self._getitems):
                data = self._getitems(index)
            else:
                ds = self.dataset
                data = [ds[i] for i in index]
        else:
            data = self.dataset[index]
        return self.collate_fn(data)


class _IterableFetcher:
    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.dataset_iter = iter(dataset)
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        self.ended = False

    def fetch(self, index):
        if self.ended:
            raise StopIteration
        if self.auto_collation:
            data = []
            it = self.dataset_iter
            for _ in index:
                try:
                    data.append(next(it))
                except StopIteration:
                    self.ended = True
                    break
            if not data or (self.drop_last and len(data) < len(index)):
                raise StopIteration
        else:
            data = next(self.dataset_iter)
        return self.collate_fn(data)


def _fast_rows(dataset, collate_fn):
    """For a TensorDataset (possibly under Subsets) collated by ``default_collate``: a function
    that gathers a batch with one ``take`` per tensor, the same result as indexing every sample
    and stacking. ``None`` where that equivalence is not certain."""
    from ..._tensor import Tensor, _make
    from ._collate import default_collate
    from .dataset import Subset, TensorDataset

    if collate_fn is not default_collate:
        return None
    maps = []
    ds = dataset
    while type(ds) is Subset:
        ind = ds.indices
        if isinstance(ind, (range, list, tuple)):
            ind = np.asarray(ind, dtype=np.int64)
        elif isinstance(ind, np.ndarray) and ind.dtype.kind in "iu" and ind.ndim == 1:
            ind = ind.astype(np.int64)
        else:
            return None
        if ind.ndim != 1:
            return None
        maps.append(ind)
        ds = ds.dataset
    if type(ds) is not TensorDataset:
        return None
    tensors = ds.tensors
    if not tensors or any(type(t) is not Tensor or t.requires_grad for t in tensors):
        return None
    n = len(ds)

    def rows(index):
        idx = np.asarray(index, dtype=np.int64)
        for m in maps:  # outermost Subset first
            idx = m[idx]
        if idx.size and (idx.max() >= n or idx.min() < -n):
            bad = int(idx[(idx >= n) | (idx < -n)][0])
            raise IndexError(f"index {bad} is out of bounds for dimension 0 with size {n}")
        out = []
        for t in tensors:
            a = t._data
            if type(a) is np.ndarray:
                out.append(_make(a.take(idx, axis=0)))
            else:
                from ..._device import xp_of

                xp = xp_of(a)
                out.append(_make(xp.take(a, xp.asarray(idx), axis=0)))
        return out

    return rows


# arrays at least this large travel from a worker through a file in the loader's folder (on
# /dev/shm where there is one) instead of through the result pipe
_SHARE_MIN_BYTES = 1 << 20


@dataclass(frozen=True)
class _SharedArray:
    path: str
    dtype: Any
    shape: tuple


@dataclass(frozen=True)
class _Shared:
    """A batch some of whose arrays wait in files (see ``_share``)."""

    payload: Any


def _walk(x, leaf):
    """``x`` with ``leaf`` applied to its tensors (or placeholders) inside lists, tuples, dicts
    and named tuples; ``x`` itself when nothing changed."""
    t = type(x)
    if t is list or t is tuple or (isinstance(x, tuple) and hasattr(x, "_fields")):
        items = [_walk(v, leaf) for v in x]
        if all(a is b for a, b in zip(items, x)):
            return x
        if t is list:
            return items
        return tuple(items) if t is tuple else t(*items)
    if t is dict:
        items = {k: _walk(v, leaf) for k, v in x.items()}
        if all(items[k] is v for k, v in x.items()):
            return x
        return items
    return leaf(x)


def _share(data, folder: str, prefix: str, counter):
    """Move the large CPU arrays of a batch into files under ``folder`` (read back by ``_unshare``)."""
    from ..._tensor import Tensor

    def leaf(x):
        if type(x) is not Tensor or x.requires_grad:
            return x
        a = x._data
        if type(a) is not np.ndarray or a.nbytes < _SHARE_MIN_BYTES:
            return x
        path = os.path.join(folder, f"{prefix}-{next(counter)}")
        buf = memoryview(np.ascontiguousarray(a).reshape(-1).view(np.uint8))
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                done = 0
                while done < len(buf):
                    done += os.write(fd, buf[done:])
            finally:
                os.close(fd)
        except OSError:  # no room (a small /dev/shm): this array goes through the pipe
            with contextlib.suppress(OSError):
                os.unlink(path)
            return x
        return _SharedArray(path, a.dtype, a.shape)

    out = _walk(data, leaf)
    return data if out is data else _Shared(out)


def _unshare(shared: _Shared):
    """The batch with its file-borne arrays mapped back (the files are unlinked at once; the
    memory lives as long as the tensors)."""
    import mmap

    from ..._tensor import _make

    def leaf(x):
        if type(x) is not _SharedArray:
            return x
        fd = os.open(x.path, os.O_RDWR)
        try:
            mm = mmap.mmap(fd, 0)
        finally:
            os.close(fd)
            os.unlink(x.path)
        count = int(np.prod(x.shape, dtype=np.int64))
        return _make(np.frombuffer(mm, dtype=x.dtype, count=count).reshape(x.shape))

    return _walk(shared.payload, leaf)


def _discard(data) -> None:
    """Remove the files of a batch that will not be delivered."""
    if type(data) is _Shared:

        def leaf(x):
            if type(x) is _SharedArray:
                with contextlib.suppress(OSError):
                    os.unlink(x.path)
            return x

        _walk(data.payload, leaf)


def _make_fetcher(kind, dataset, auto_collation, collate_fn, drop_last):
    cls = _IterableFetcher if kind == "iterable" else _MapFetcher
    return cls(dataset, auto_collation, collate_fn, drop_last)


def _worker_loop(
    kind,
    dataset,
    index_queue,
    data_queue,
    done_event,
    auto_collation,
    collate_fn,
    drop_last,
    base_seed,
    init_fn,
    worker_id,
    num_workers,
    persistent_workers,
    dump_path,
):
    """Serve ``(task_idx, index)`` requests read from the pipe ``index_queue`` until told to stop
    (``None``, or ``done_event`` while idle)."""
    global _worker_info
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process handles Ctrl-C and stops us
        dump = open(dump_path, "w")  # noqa: SIM115 (kept open for the signal handler)
        faulthandler.register(signal.SIGUSR1, file=dump, all_threads=True)
        _exit_with_parent(os.getppid(), os.path.dirname(dump_path))

        import ember

        seed = base_seed + worker_id
        random.seed(seed)
        ember.manual_seed(seed)
        np.random.seed(_numpy_seed(base_seed, worker_id))
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)

        init_exception = None
        fetcher = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = _make_fetcher(kind, dataset, auto_collation, collate_fn, drop_last)
        except Exception:
            init_exception = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")

        iteration_end = False
        parent = os.getppid()
        folder = os.path.dirname(dump_path)
        counter = itertools.count()
        prefix = f"w{worker_id}-{os.getpid()}"
        while True:
            try:
                if not index_queue.poll(_WATCHDOG_INTERVAL):
                    if done_event.is_set():
                        break
                    if os.getppid() != parent:  # the main process is gone: clean up after it
                        shutil.rmtree(os.path.dirname(dump_path), ignore_errors=True)
                        break
                    continue
                r = index_queue.recv()
            except (EOFError, OSError):
                break
            if isinstance(r, _ResumeIteration):
                data_queue.put((r, None))
                iteration_end = False
                try:
                    fetcher = _make_fetcher(kind, dataset, auto_collation, collate_fn, drop_last)
                except Exception:
                    init_exception = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
                continue
            if r is None:
                break
            if done_event.is_set() or iteration_end:
                continue
            idx, index = r
            if init_exception is not None:
                data, init_exception = init_exception, None
            else:
                try:
                    data = _share(fetcher.fetch(index), folder, prefix, counter)
                except Exception as e:
                    if isinstance(e, StopIteration) and kind == "iterable":
                        data = _IterableDatasetStopIteration(worker_id)
                        iteration_end = True
                    else:
                        data = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
            data_queue.put((idx, data))
            del data, r
    except KeyboardInterrupt:
        pass
    if done_event.is_set():
        data_queue.cancel_join_thread()
        data_queue.close()
