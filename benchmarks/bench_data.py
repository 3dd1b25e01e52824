"""DataLoader workloads written once in PyTorch's API and run under PyTorch and under ember, in one process,
alternating the two, at one thread each; the table gives median times, the ratio ember/PyTorch and its spread
(min-max of the per-round ratios).

  tensor_shuffle   one epoch over a TensorDataset of 60,000 x 784 float32 (+ int64 labels), batch 128, shuffle
  samples_collate  one epoch over a dataset of 10,000 (784-float row, int label) samples, batch 128, shuffle
  work_w0/work_w2  one epoch over a dataset whose __getitem__ does real work (~0.5-1 ms of NumPy per sample),
                   num_workers=0 and num_workers=2 (worker start-up included); the last two lines compare each
                   library's num_workers=2 with its num_workers=0, timed back to back in each round (a speed-up
                   needs a CPU free for each worker)

    python benchmarks/bench_data.py                  # everything
    python benchmarks/bench_data.py tensor_shuffle   # some workloads
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

import ember  # noqa: E402

torch.set_num_threads(1)

WORKLOADS = {}


def workload(name, reps):
    def deco(setup):
        WORKLOADS[name] = (setup, reps)
        return setup

    return deco


@workload("tensor_shuffle", reps=5)
def _tensor_shuffle(lib):
    g = lib.Generator().manual_seed(0)
    ds = lib.utils.data.TensorDataset(lib.randn(60000, 784, generator=g), lib.randint(0, 10, (60000,), generator=g))
    loader = lib.utils.data.DataLoader(ds, batch_size=128, shuffle=True)

    def run():
        for _x, _y in loader:
            pass

    return run


@workload("samples_collate", reps=5)
def _samples_collate(lib):
    """A map-style dataset returning (tensor row, int label): per-sample indexing, then default_collate."""
    g = lib.Generator().manual_seed(0)
    x, y = lib.randn(10000, 784, generator=g), lib.randint(0, 10, (10000,), generator=g)

    class Rows(lib.utils.data.Dataset):
        def __len__(self):
            return 10000

        def __getitem__(self, i):
            return x[i], int(y[i])

    loader = lib.utils.data.DataLoader(Rows(), batch_size=128, shuffle=True)

    def run():
        for _x, _y in loader:
            pass

    return run


def _work_dataset(lib):
    class Work(lib.utils.data.Dataset):
        """Each sample: sort and normalise 20,000 pseudo-random numbers (0.2-1 ms of NumPy; 2048 of them, so that starting the workers is a small part of an epoch)."""

        def __len__(self):
            return 2048

        def __getitem__(self, i):
            a = np.sort(np.random.default_rng(i).random(20000, dtype=np.float32))
            a = (a - a.mean()) / a.std()
            return lib.from_numpy(a[::100].copy()), i

    return Work()


def _work(workers):
    def setup(lib):
        loader = lib.utils.data.DataLoader(_work_dataset(lib), batch_size=16, num_workers=workers)

        def run():
            for _x, _y in loader:
                pass

        return run

    return setup


workload("work_w0", reps=5)(_work(0))
workload("work_w2", reps=5)(_work(2))


def measure(setup, reps):
    fns = {lib: setup(lib) for lib in (torch, ember)}
    for f in fns.values():  # warm up
        f()
    times = {torch: [], ember: []}
    for _ in range(reps):
        for lib in (torch, ember):
            t0 = time.perf_counter()
            fns[lib]()
            times[lib].append(time.perf_counter() - t0)
    return times


def workers_vs_none(reps=5):
    """Per library, num_workers=2 against num_workers=0 timed back to back in each round."""
    for lib in (torch, ember):
        f0, f2 = _work(0)(lib), _work(2)(lib)
        f0(), f2()
        ratios = []
        for _ in range(reps):
            t0 = time.perf_counter()
            f0()
            t1 = time.perf_counter()
            f2()
            ratios.append((time.perf_counter() - t1) / (t1 - t0))
        print(
            f"{lib.__name__}: num_workers=2 / num_workers=0 = {statistics.median(ratios):.2f}"
            f"   {min(ratios):.2f}-{max(ratios):.2f}   ({os.cpu_count()} CPUs)"
        )


def main(names):
    print(f"{'workload':<16}{'torch ms':>10}{'ember ms':>10}{'ratio':>7}   spread")
    for name in names or WORKLOADS:
        setup, reps = WORKLOADS[name]
        times = measure(setup, reps)
        ratios = [e / t for e, t in zip(times[ember], times[torch])]
        t, e = statistics.median(times[torch]), statistics.median(times[ember])
        print(
            f"{name:<16}{t * 1e3:>10.1f}{e * 1e3:>10.1f}{statistics.median(ratios):>7.2f}"
            f"   {min(ratios):.2f}-{max(ratios):.2f}"
        )
    if not names or "work_w2" in names:
        workers_vs_none()


if __name__ == "__main__":
    main(sys.argv[1:])
