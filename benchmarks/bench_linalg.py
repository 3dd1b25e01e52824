"""Batched linear algebra under PyTorch and ember in the same process: inverse, solve and SVD of
128 matrices of 64x64 (float32), alternating the two libraries each round, one thread each.
Prints the median time per call, the median ratio ember/PyTorch and its spread (min-max of the
per-round ratios).

    python benchmarks/bench_linalg.py              # every row
    python benchmarks/bench_linalg.py inv svd      # some of them
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

BATCH, N, K = 128, 64, 64
REPS = 15


def _inputs(lib):
    rng = np.random.default_rng(0)
    a = (rng.standard_normal((BATCH, N, N)) + N**0.5 * np.eye(N)).astype(np.float32)
    b = rng.standard_normal((BATCH, N, K)).astype(np.float32)
    return lib.tensor(a), lib.tensor(b)


ROWS = {
    "inv": lambda lib, a, b: lib.linalg.inv(a),
    "solve": lambda lib, a, b: lib.linalg.solve(a, b),
    "svd": lambda lib, a, b: lib.linalg.svd(a, full_matrices=False),
}


def measure(fn, reps=REPS):
    data = {lib: _inputs(lib) for lib in (torch, ember)}
    for lib in (torch, ember):  # warm up
        fn(lib, *data[lib])
    times = {torch: [], ember: []}
    for _ in range(reps):
        for lib in (torch, ember):
            t0 = time.perf_counter()
            fn(lib, *data[lib])
            times[lib].append(time.perf_counter() - t0)
    ratios = [e / t for e, t in zip(times[ember], times[torch])]
    return statistics.median(times[torch]), statistics.median(times[ember]), ratios


def main(names):
    print(f"batch {BATCH} x {N}x{N} float32, {REPS} rounds, 1 thread")
    print(f"{'op':<8}{'torch ms':>10}{'ember ms':>10}{'ratio':>8}   spread")
    for name in names or ROWS:
        t, e, ratios = measure(ROWS[name])
        print(
            f"{name:<8}{t * 1e3:>10.2f}{e * 1e3:>10.2f}{statistics.median(ratios):>8.2f}"
            f"   {min(ratios):.2f}-{max(ratios):.2f}"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
