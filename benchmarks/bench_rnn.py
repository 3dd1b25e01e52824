"""Recurrent training steps written once in PyTorch's API, run under PyTorch and ember in one process at one
thread, alternating: a 2-layer LSTM and a 2-layer GRU (input 32, hidden 128, sequence 50, batch 32), forward,
a mean-squared loss on the last layer's outputs, backward and a hand-written SGD step. Prints median times, the
ratio ember/PyTorch and its spread (min-max of per-round ratios).

    python benchmarks/bench_rnn.py            # both
    python benchmarks/bench_rnn.py lstm       # one
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import sys  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_nn import _libs, _row, measure  # noqa: E402

SEQ, BATCH, IN, HID, LAYERS = 50, 32, 32, 128, 2


def make_step(lib, kind, state=None):
    """A training-step closure and the model; ``state`` (arrays) sets identical weights."""
    lib.manual_seed(0)
    model = getattr(lib.nn, kind.upper())(IN, HID, num_layers=LAYERS)
    if state is not None:
        model.load_state_dict({k: lib.tensor(v) for k, v in state.items()})
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal((SEQ, BATCH, IN)).astype(np.float32))
    y = lib.tensor(rng.standard_normal((SEQ, BATCH, HID)).astype(np.float32))
    params = list(model.parameters())

    def step():
        out, _ = model(x)
        loss = ((out - y) ** 2).mean()
        loss.backward()
        with lib.no_grad():
            for p in params:
                p.add_(p.grad, alpha=-0.01)
                p.grad = None
        return loss

    return step, model


def main(argv):
    names = [a for a in argv if not a.startswith("--")] or ["lstm", "gru"]
    torch, ember = _libs()
    print(f"{'workload':<22}{'torch':>14}{'ember':>14}{'ratio':>6}   spread")
    for name in names:
        t_step, t_model = make_step(torch, name)
        state = {k: v.detach().numpy().copy() for k, v in t_model.state_dict().items()}
        e_step, _ = make_step(ember, name, state)
        lt, le = t_step().item(), e_step().item()
        assert abs(lt - le) <= 1e-4 * max(1.0, abs(lt)), f"{name}: first losses differ: torch {lt} ember {le}"
        _row(name + " step", "ms", 1e3, *measure((t_step, e_step), reps=11, min_time=0.2))


if __name__ == "__main__":
    main(sys.argv[1:])
