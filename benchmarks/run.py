"""Run workloads written in PyTorch's API under PyTorch and under ember, in the same process,
alternating the two, at one thread each; print median times and the ratio ember/PyTorch with
its spread (min-max of the per-round ratios).

    python benchmarks/run.py            # every workload
    python benchmarks/run.py add chain  # some of them
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import torch  # noqa: E402

import ember  # noqa: E402

torch.set_num_threads(1)

WORKLOADS = {}


def workload(name, inner):
    """Register ``setup(lib) -> fn``; ``fn()`` runs the timed body; ``inner`` = units per call (to report per op)."""

    def deco(setup):
        WORKLOADS[name] = (setup, inner)
        return setup

    return deco


@workload("add", inner=1000)
def _add(lib):
    a, b = lib.ones(16), lib.ones(16)

    def run():
        for _ in range(1000):
            a + b

    return run


@workload("chain", inner=101)
def _chain(lib):
    """100 small ops on a tensor that requires grad, then backward (per op)."""
    x = lib.randn(16, requires_grad=True)

    def run():
        y = x
        for _ in range(25):
            y = y * 1.01
            y = y + 0.1
            y = y.tanh()
            y = y - 0.01
        y.sum().backward()

    return run


@workload("mlp_step", inner=1)
def _mlp_step(lib):
    """One SGD step of a 784-256-10 MLP on a batch of 64, written with tensor ops only."""
    g = lib.Generator().manual_seed(0)
    x = lib.randn(64, 784, generator=g)
    y = lib.randint(0, 10, (64,), generator=g)
    w1 = (lib.randn(784, 256, generator=g) * 0.05).requires_grad_()
    b1 = lib.zeros(256, requires_grad=True)
    w2 = (lib.randn(256, 10, generator=g) * 0.05).requires_grad_()
    b2 = lib.zeros(10, requires_grad=True)
    params = [w1, b1, w2, b2]

    def run():
        h = (x @ w1 + b1).relu()
        logp = (h @ w2 + b2).log_softmax(dim=1)
        loss = -logp.gather(1, y.unsqueeze(1)).mean()
        loss.backward()
        with lib.no_grad():
            for p in params:
                p.add_(p.grad, alpha=-0.1)
                p.grad = None

    return run


def _op_rows(name, shape, op, inner=100):
    """Two workloads per op: ``name`` (forward only) and ``name_fb`` (forward and backward)."""

    def fwd(lib):
        x = lib.randn(*shape, generator=lib.Generator().manual_seed(0))

        def run():
            for _ in range(inner):
                op(x)

        return run

    def fwd_bwd(lib):
        x = lib.randn(*shape, generator=lib.Generator().manual_seed(0)).requires_grad_()
        g = lib.ones_like(op(x))

        def run():
            for _ in range(inner):
                op(x).backward(g)
            x.grad = None

        return run

    workload(name, inner)(fwd)
    workload(name + "_fb", inner)(fwd_bwd)


_op_rows("softmax_8x16", (8, 16), lambda x: x.softmax(1))
_op_rows("log_softmax_64x10", (64, 10), lambda x: x.log_softmax(1))
_op_rows("var_8x16", (8, 16), lambda x: x.var(1))
_op_rows("std_64x10", (64, 10), lambda x: x.std(1))
_op_rows("sigmoid_8x16", (8, 16), lambda x: x.sigmoid())
_op_rows("relu_512", (512, 512), lambda x: x.relu(), inner=5)
_op_rows("clamp_512", (512, 512), lambda x: x.clamp(-0.5, 0.5), inner=5)


def measure(setup, reps=15, min_time=0.02):
    fns = {lib: setup(lib) for lib in (torch, ember)}
    for f in fns.values():  # warm up
        f()
    # calls per repetition so that one repetition takes >= min_time
    t0 = time.perf_counter()
    fns[torch]()
    n = max(1, int(min_time / max(time.perf_counter() - t0, 1e-7)))
    times = {torch: [], ember: []}
    for _ in range(reps):
        for lib in (torch, ember):
            f = fns[lib]
            t0 = time.perf_counter()
            for _ in range(n):
                f()
            times[lib].append((time.perf_counter() - t0) / n)
    ratios = [e / t for e, t in zip(times[ember], times[torch])]
    return statistics.median(times[torch]), statistics.median(times[ember]), ratios


def main(names):
    print(f"{'workload':<14}{'torch':>13}{'ember':>13}{'ratio':>6}   spread")
    for name in names or WORKLOADS:
        setup, inner = WORKLOADS[name]
        t, e, ratios = measure(setup)
        unit = "us/op" if inner > 1 else "ms"
        scale = 1e6 / inner if inner > 1 else 1e3
        print(
            f"{name:<14}{t * scale:>7.2f} {unit:<5}{e * scale:>7.2f} {unit:<5}{statistics.median(ratios):>6.2f}"
            f"   {min(ratios):.2f}-{max(ratios):.2f}"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
