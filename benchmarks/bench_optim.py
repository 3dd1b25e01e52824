"""Optimizer workloads in PyTorch's API, run under PyTorch and ember at one thread in one process (alternating
rounds; median times, ratio ember/PyTorch and its spread):

- mlp-sgd: a 784-512-256-10 MLP training step (batch 128, cross-entropy) with ``optim.SGD(momentum=0.9)``;
- dqn-adam: a DQN-style update of a 4-128-128-2 network (batch 64: online and target forward, MSE on the
  chosen actions' values, backward, ``optim.Adam`` step);
- the optimizer step alone for a few optimizers on the MLP's parameters (gradients fixed).

    python benchmarks/bench_optim.py            # everything
    python benchmarks/bench_optim.py mlp dqn    # some workloads
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import sys  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_nn import _libs, _row, measure  # noqa: E402


def _mlp(lib):
    nn = lib.nn
    return nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10))


def mlp_sgd(lib, state=None):
    lib.manual_seed(0)
    model = _mlp(lib)
    if state is not None:
        model.load_state_dict({k: lib.tensor(v) for k, v in state.items()})
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal((128, 784)).astype(np.float32))
    y = lib.tensor(rng.integers(0, 10, 128))
    opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = lib.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return step, model


def _qnet(lib):
    nn = lib.nn
    return nn.Sequential(nn.Linear(4, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 2))


def dqn_adam(lib, state=None):
    lib.manual_seed(0)
    online, target = _qnet(lib), _qnet(lib)
    if state is not None:
        online.load_state_dict({k: lib.tensor(v) for k, v in state.items()})
    target.load_state_dict(online.state_dict())
    rng = np.random.default_rng(0)
    s = lib.tensor(rng.standard_normal((64, 4)).astype(np.float32))
    s2 = lib.tensor(rng.standard_normal((64, 4)).astype(np.float32))
    a = lib.tensor(rng.integers(0, 2, (64, 1)))
    r = lib.tensor(rng.standard_normal(64).astype(np.float32))
    done = lib.tensor((rng.random(64) < 0.1).astype(np.float32))
    opt = lib.optim.Adam(online.parameters(), lr=1e-3)

    def step():
        q = online(s).gather(1, a).squeeze(1)
        with lib.no_grad():
            q2 = target(s2).max(1)[0]
            tgt = r + 0.99 * q2 * (1 - done)
        loss = lib.nn.functional.mse_loss(q, tgt)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    return step, online


def opt_step(lib, name, kwargs):
    lib.manual_seed(0)
    model = _mlp(lib)
    for p in model.parameters():
        p.grad = lib.ones_like(p) * 0.01
    opt = getattr(lib.optim, name)(model.parameters(), **kwargs)
    return opt.step


def main(argv):
    names = [a for a in argv if not a.startswith("--")] or ["mlp", "dqn", "steps"]
    torch, ember = _libs()
    print(f"{'workload':<22}{'torch':>14}{'ember':>14}{'ratio':>6}   spread")
    if "mlp" in names:
        ts, tm = mlp_sgd(torch)
        es, em = mlp_sgd(ember, {k: v.numpy().copy() for k, v in tm.state_dict().items()})
        _row("mlp-sgd step", "ms", 1e3, *measure((ts, es), reps=9))
    if "dqn" in names:
        ts, tm = dqn_adam(torch)
        es, em = dqn_adam(ember, {k: v.numpy().copy() for k, v in tm.state_dict().items()})
        _row("dqn-adam update", "us", 1e6, *measure((ts, es), reps=9))
    if "steps" in names:
        for name, kw in (("SGD", {"lr": 0.01, "momentum": 0.9}), ("Adam", {}), ("AdamW", {}), ("RMSprop", {})):
            _row(
                f"{name} step (mlp)",
                "us",
                1e6,
                *measure((opt_step(torch, name, kw), opt_step(ember, name, kw)), reps=7),
            )


if __name__ == "__main__":
    main(sys.argv[1:])
