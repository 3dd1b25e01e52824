"""torch.save / torch.load against ember.save / ember.load on a 100 MB state dict (a model-like mix of
large and small float32 tensors), to a path and to an in-memory buffer. Both libraries run at one thread in
the same process, alternating; the table gives median times, the ratio ember/PyTorch and its spread (min-max
of the per-round ratios).

ember.save to a path is durable and atomic (temporary file, fsync, rename); torch.save is not. The rows
``save_path`` compare the two as they are; ``save_path_nosync`` times ember with its fsync calls stubbed out,
which is the like-for-like cost of writing the same bytes. The files go to ``--dir`` (default: the system's
temporary directory; a tmpfs such as /dev/shm takes the disk out of the comparison).

    python benchmarks/bench_save.py                  # every workload
    python benchmarks/bench_save.py load_path        # some of them
    python benchmarks/bench_save.py --dir /dev/shm
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import contextlib  # noqa: E402
import io  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

import ember  # noqa: E402

torch.set_num_threads(1)
MB = 1 << 20


def _state_dict(lib):
    """~100 MB: 24 layers of a 1024-wide network (weights, biases, norms) plus an embedding."""
    g = np.random.default_rng(0)
    sd = {}
    for i in range(24):
        for name, shape in ((f"l{i}.weight", (1024, 1024)), (f"l{i}.bias", (1024,)), (f"n{i}.weight", (1024,))):
            sd[name] = lib.from_numpy(g.standard_normal(shape, dtype=np.float32))
        sd[f"n{i}.num_batches_tracked"] = lib.tensor(3)
    sd["embed.weight"] = lib.from_numpy(g.standard_normal((1000, 200), dtype=np.float32))
    return sd


def _nbytes(sd):
    return sum(v.numel() * v.element_size() for v in sd.values())


@contextlib.contextmanager
def _no_fsync():
    real = os.fsync, getattr(os, "fdatasync", None)
    os.fsync = lambda fd: None
    if real[1] is not None:
        os.fdatasync = lambda fd: None
    try:
        yield
    finally:
        os.fsync = real[0]
        if real[1] is not None:
            os.fdatasync = real[1]


def workloads(directory):
    sds = {torch: _state_dict(torch), ember: _state_dict(ember)}
    paths = {lib: os.path.join(directory, f"{lib.__name__}.pt") for lib in sds}
    for lib in sds:
        lib.save(sds[lib], paths[lib])
    blobs = {lib: open(paths[lib], "rb").read() for lib in sds}

    def save_path(lib):
        return lambda: lib.save(sds[lib], paths[lib])

    def save_path_nosync(lib):
        if lib is torch:
            return save_path(lib)

        def run():
            with _no_fsync():
                lib.save(sds[lib], paths[lib])

        return run

    def save_buffer(lib):
        return lambda: lib.save(sds[lib], io.BytesIO())

    def load_path(lib):
        return lambda: lib.load(paths[lib], weights_only=True)

    def load_buffer(lib):
        return lambda: lib.load(io.BytesIO(blobs[lib]), weights_only=True)

    def load_mmap(lib):
        return lambda: lib.load(paths[lib], weights_only=True, mmap=True)

    return sds[torch], {
        "save_path": save_path,
        "save_path_nosync": save_path_nosync,
        "save_buffer": save_buffer,
        "load_path": load_path,
        "load_buffer": load_buffer,
        "load_mmap": load_mmap,
    }


def measure(setup, reps=9):
    fns = {lib: setup(lib) for lib in (torch, ember)}
    for f in fns.values():  # warm up
        f()
    times = {torch: [], ember: []}
    for _ in range(reps):
        for lib in (torch, ember):
            t0 = time.perf_counter()
            fns[lib]()
            times[lib].append(time.perf_counter() - t0)
    ratios = [e / t for e, t in zip(times[ember], times[torch])]
    return statistics.median(times[torch]), statistics.median(times[ember]), ratios


def main(argv):
    directory = tempfile.gettempdir()
    if "--dir" in argv:
        i = argv.index("--dir")
        directory = argv[i + 1]
        argv = argv[:i] + argv[i + 2 :]
    work = tempfile.mkdtemp(dir=directory, prefix="bench_save_")
    try:
        sd, table = workloads(work)
        print(f"state dict: {len(sd)} tensors, {_nbytes(sd) / MB:.0f} MiB; files in {directory}")
        print(f"{'workload':<18}{'torch':>10}{'ember':>10}{'ratio':>7}   spread")
        for name in argv or table:
            t, e, ratios = measure(table[name])
            print(
                f"{name:<18}{t * 1e3:>7.1f} ms{e * 1e3:>7.1f} ms{statistics.median(ratios):>7.2f}"
                f"   {min(ratios):.2f}-{max(ratios):.2f}"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1:])
