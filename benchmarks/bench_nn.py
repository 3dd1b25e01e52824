"""Model workloads written once in PyTorch's API and run under PyTorch and under ember: training steps of an MLP,
a LeNet-5-style CNN and a VGG-style CNN with BatchNorm, and the per-call overhead of nn.Linear and of an empty
Module call. Both libraries run at one thread in the same process, alternating; the table gives median times,
the ratio ember/PyTorch and its spread (min-max of per-round ratios). Each model workload also reports peak
resident memory, each library measured alone in a fresh process, as a ratio ember/PyTorch.

    python benchmarks/bench_nn.py                 # everything
    python benchmarks/bench_nn.py mlp lenet       # some workloads
    python benchmarks/bench_nn.py --no-memory     # skip the fresh-process memory runs
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import json  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402


def _libs():
    import torch

    import ember

    torch.set_num_threads(1)
    return torch, ember


# ---------------------------------------------------------------------------- models (PyTorch's API, any library)
def mlp(lib):
    nn = lib.nn
    return nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10))


def lenet(lib):
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(400, 120),
        nn.ReLU(),
        nn.Linear(120, 84),
        nn.ReLU(),
        nn.Linear(84, 10),
    )


def vgg(lib):
    nn = lib.nn
    layers, c_in = [], 3
    for i, width in enumerate((32, 64, 128)):
        for _ in range(2):
            layers += [nn.Conv2d(c_in, width, 3, padding=1, bias=False), nn.BatchNorm2d(width), nn.ReLU(inplace=True)]
            c_in = width
        if i < 2:
            layers.append(nn.MaxPool2d(2))
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(128, 10)]
    return nn.Sequential(*layers)


MODELS = {"mlp": (mlp, (128, 784)), "lenet": (lenet, (64, 1, 28, 28)), "vgg": (vgg, (64, 3, 32, 32))}


def _data(shape, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(shape).astype(np.float32), rng.integers(0, 10, shape[0]).astype(np.int64)


def make_step(lib, name, state=None):
    """A training step closure (forward, cross-entropy, backward, hand-written SGD) and the first loss."""
    build, shape = MODELS[name]
    lib.manual_seed(0)
    model = build(lib)
    if state is not None:
        model.load_state_dict({k: lib.tensor(v) for k, v in state.items()})
    model.train()
    xa, ya = _data(shape)
    x, y = lib.tensor(xa), lib.tensor(ya)
    loss_fn = lib.nn.CrossEntropyLoss()
    params = list(model.parameters())

    def step():
        loss = loss_fn(model(x), y)
        loss.backward()
        with lib.no_grad():
            for p in params:
                p.add_(p.grad, alpha=-0.01)
                p.grad = None
        return loss

    return step, model


def overhead_linear(lib, grad):
    lin = lib.nn.Linear(128, 128)
    x = lib.randn(64, 128)

    def run():
        for _ in range(100):
            lin(x)

    if grad:
        return run

    def run_nograd():
        with lib.no_grad():
            run()

    return run_nograd


def overhead_call(lib):
    class Empty(lib.nn.Module):
        def forward(self, x):
            return x

    m = Empty()
    x = lib.ones(1)

    def run():
        for _ in range(1000):
            m(x)

    return run


# ---------------------------------------------------------------------------- timing
def measure(fns, reps, min_time=0.05):
    torch, ember = fns
    for f in (torch, ember):
        f()
        f()
    t0 = time.perf_counter()
    torch()
    n = max(1, int(min_time / max(time.perf_counter() - t0, 1e-7)))
    times = ([], [])
    for _ in range(reps):
        for i, f in enumerate((torch, ember)):
            t0 = time.perf_counter()
            for _ in range(n):
                f()
            times[i].append((time.perf_counter() - t0) / n)
    ratios = [e / t for t, e in zip(*times)]
    return statistics.median(times[0]), statistics.median(times[1]), ratios


def _row(name, unit, scale, t, e, ratios, extra=""):
    print(
        f"{name:<22}{t * scale:>9.3f} {unit:<4}{e * scale:>9.3f} {unit:<4}{statistics.median(ratios):>6.2f}"
        f"   {min(ratios):.2f}-{max(ratios):.2f}{extra}",
        flush=True,
    )


def peak_rss(libname, name, steps=5):
    """Peak resident memory (MiB) of a fresh process that imports one library and runs a few steps."""
    code = (
        "import os, sys, json, resource\n"
        "for v in ('OMP_NUM_THREADS','OPENBLAS_NUM_THREADS','MKL_NUM_THREADS'): os.environ[v] = '1'\n"
        f"sys.path.insert(0, {os.path.dirname(os.path.abspath(__file__))!r})\n"
        "import bench_nn\n"
        f"import {libname} as lib\n"
        f"if {libname!r} == 'torch': lib.set_num_threads(1)\n"
        f"step, _ = bench_nn.make_step(lib, {name!r})\n"
        f"for _ in range({steps}): step()\n"
        "print(json.dumps(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv):
    memory = "--no-memory" not in argv
    names = [a for a in argv if not a.startswith("--")] or ["mlp", "lenet", "vgg", "overhead"]
    torch, ember = _libs()
    print(f"{'workload':<22}{'torch':>14}{'ember':>14}{'ratio':>6}   spread")
    for name in names:
        if name == "overhead":
            for label, mk in (
                ("linear fwd no_grad", lambda lib: overhead_linear(lib, False)),
                ("linear fwd grad", lambda lib: overhead_linear(lib, True)),
            ):
                _row(label, "us", 1e6 / 100, *measure((mk(torch), mk(ember)), reps=15))
            _row("empty Module call", "us", 1e6 / 1000, *measure((overhead_call(torch), overhead_call(ember)), reps=15))
            continue
        t_step, t_model = make_step(torch, name)
        state = {k: v.numpy().copy() for k, v in t_model.state_dict().items()}
        e_step, _ = make_step(ember, name, state)
        lt, le = t_step().item(), e_step().item()
        assert abs(lt - le) <= 1e-4 * max(1.0, abs(lt)), f"{name}: first losses differ: torch {lt} ember {le}"
        reps = 7 if name == "vgg" else 11
        t, e, ratios = measure((t_step, e_step), reps=reps, min_time=0.2)
        extra = ""
        if memory:
            mt, me = peak_rss("torch", name), peak_rss("ember", name)
            extra = f"   peak RSS {me:.0f}/{mt:.0f} MiB = {me / mt:.2f}x"
        _row(name + " step", "ms", 1e3, t, e, ratios, extra)


if __name__ == "__main__":
    main(sys.argv[1:])
