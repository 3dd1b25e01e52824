"""Same seed, same run: models built with default initialisation after ``manual_seed(0)``, trained with
dropout and a shuffled DataLoader, follow PyTorch's loss curve step for step."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import ember


def _mlp(lib):
    nn = lib.nn
    return nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Dropout(0.3), nn.Linear(32, 4))


def _cnn(lib):
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Dropout2d(0.2),
        nn.Flatten(),
        nn.Linear(4 * 4 * 4, 16),
        nn.ReLU(),
        nn.Dropout(0.25),
        nn.Linear(16, 4),
    )


def _data(shape):
    n = 96
    x = np.sin(np.arange(n * int(np.prod(shape)), dtype=np.float32) * 0.37).reshape(n, *shape)
    y = (np.arange(n) * 7 % 4).astype(np.int64)
    return x, y


def _curve(lib, build, shape):
    lib.manual_seed(0)
    model = build(lib)
    x, y = _data(shape)
    data = lib.utils.data.TensorDataset(lib.from_numpy(x), lib.from_numpy(y))
    loader = lib.utils.data.DataLoader(data, batch_size=16, shuffle=True)
    opt = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    losses = []
    while len(losses) < 20:
        for xb, yb in loader:
            opt.zero_grad()
            loss = lib.nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            losses.append(loss.item())
            if len(losses) == 20:
                break
    return np.array(losses), model


@pytest.mark.parametrize("build,shape", [(_mlp, (16,)), (_cnn, (1, 8, 8))], ids=["mlp", "cnn"])
def test_seeded_training_follows_pytorch(build, shape):
    le, me = _curve(ember, build, shape)
    lt, mt = _curve(torch, build, shape)
    np.testing.assert_allclose(le, lt, rtol=1e-4, atol=1e-5)
    for (ke, pe), (kt, pt) in zip(me.state_dict().items(), mt.state_dict().items()):
        assert ke == kt
        np.testing.assert_allclose(pe.numpy(), pt.numpy(), rtol=1e-3, atol=1e-5)
