"""The whole training workflow on scikit-learn's bundled digits, written once in PyTorch's API and run under both
libraries: Dataset -> DataLoader -> model -> loss -> optimizer -> scheduler -> checkpoint -> reload in a fresh
process -> evaluation. Ember reaches the accuracy PyTorch reaches with the same recipe, and its checkpoint loads into
PyTorch."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits

import ember

RECIPE = textwrap.dedent(
    """
    def data(lib):
        import numpy as np
        from sklearn.datasets import load_digits
        d = load_digits()
        x = (d.data / 16.0).astype(np.float32)
        y = d.target.astype(np.int64)
        rng = np.random.default_rng(0)
        order = rng.permutation(len(x))
        x, y = x[order], y[order]
        tr = lib.utils.data.TensorDataset(lib.tensor(x[:1400]), lib.tensor(y[:1400]))
        te = lib.utils.data.TensorDataset(lib.tensor(x[1400:]), lib.tensor(y[1400:]))
        return tr, te

    def model(lib):
        nn = lib.nn
        return nn.Sequential(nn.Linear(64, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Dropout(0.1), nn.Linear(64, 10))

    def evaluate(lib, net, te):
        net.eval()
        correct = 0
        loader = lib.utils.data.DataLoader(te, batch_size=100)
        with lib.no_grad():
            for xb, yb in loader:
                correct += (net(xb).argmax(1) == yb).sum().item()
        return correct / len(te)
    """
)


def _recipe():
    ns = {}
    exec(RECIPE, ns)  # noqa: S102
    return ns


def _train(lib, path, epochs=8):
    r = _recipe()
    tr, te = r["data"](lib)
    lib.manual_seed(0)
    net = r["model"](lib)
    opt = lib.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    sched = lib.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
    loader = lib.utils.data.DataLoader(tr, batch_size=64, shuffle=True, generator=lib.Generator().manual_seed(1))
    loss_fn = lib.nn.CrossEntropyLoss()
    losses = []
    for _ in range(epochs):
        net.train()
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(net(xb), yb)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        sched.step()
    lib.save({"model": net.state_dict(), "optimizer": opt.state_dict(), "epoch": epochs}, path)
    return r["evaluate"](lib, net, te), losses


RELOAD = """
import sys
sys.path.insert(0, {here!r})
import test_train_workflow as w
import {lib} as lib
r = w._recipe()
_, te = r["data"](lib)
net = r["model"](lib)
ck = lib.load({path!r}, weights_only=True)
net.load_state_dict(ck["model"])
opt = lib.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
opt.load_state_dict(ck["optimizer"])
print(r["evaluate"](lib, net, te), ck["epoch"])
"""


def _reload(libname, path):
    code = RELOAD.format(here=os.path.dirname(__file__), lib=libname, path=str(path))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    acc, epoch = out.stdout.split()
    return float(acc), int(epoch)


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_digits_workflow_reaches_pytorch_accuracy(tmp_path):
    assert load_digits().data.shape == (1797, 64)
    e_acc, e_losses = _train(ember, tmp_path / "ember.pt")
    t_acc, t_losses = _train(torch, tmp_path / "torch.pt")
    assert t_acc > 0.9
    assert e_acc >= t_acc - 0.03, (e_acc, t_acc)
    assert np.mean(e_losses[-10:]) < 0.5 * np.mean(e_losses[:10])
    # a fresh process reloads the checkpoint and evaluates to the same accuracy; PyTorch reads ember's file too
    assert _reload("ember", tmp_path / "ember.pt") == (e_acc, 8)
    assert _reload("torch", tmp_path / "ember.pt") == (e_acc, 8)
    assert _reload("ember", tmp_path / "torch.pt") == (t_acc, 8)
