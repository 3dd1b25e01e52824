"""End to end: the same model class trained 20 steps with plain SGD from identical weights in ember and in
PyTorch; the loss curves and final weights agree within float32 tolerance."""

from collections import OrderedDict

import numpy as np
import torch

import ember


def _mlp(lib):
    nn = lib.nn
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 16), nn.Tanh(), nn.Linear(16, 10))


def _cnn(lib):
    nn = lib.nn
    F = lib.nn.functional

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 4, 3, padding=1)
            self.bn1 = nn.BatchNorm2d(4)
            self.conv2 = nn.Conv2d(4, 8, 3, stride=1)
            self.bn2 = nn.BatchNorm2d(8)
            self.pool = nn.MaxPool2d(2)
            self.drop = nn.Dropout(0.5)
            self.fc = nn.Linear(8 * 2 * 2, 10)

        def forward(self, x):
            x = self.pool(F.relu(self.bn1(self.conv1(x))))
            x = self.pool(F.relu(self.bn2(self.conv2(x))))
            x = self.drop(x.flatten(1))
            return self.fc(x)

    return Net()


def _train(lib, model, xs, ys, steps=20, lr=0.1):
    losses = []
    loss_fn = lib.nn.CrossEntropyLoss()
    for i in range(steps):
        x = lib.tensor(xs[i % len(xs)])
        y = lib.tensor(ys[i % len(ys)])
        model.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        with lib.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        losses.append(loss.item())
    return np.array(losses)


def _copy(tm, em):
    em.load_state_dict(OrderedDict((k, ember.tensor(v.numpy().copy())) for k, v in tm.state_dict().items()))


def _run(build, shape, seed):
    rng = np.random.default_rng(seed)
    xs = [rng.standard_normal(shape).astype(np.float32) for _ in range(4)]
    ys = [rng.integers(0, 10, shape[0]).astype(np.int64) for _ in range(4)]
    torch.manual_seed(seed)
    tm, em = build(torch), build(ember)
    _copy(tm, em)
    for m in (tm, em):
        m.train()
        if hasattr(m, "drop"):
            m.drop.eval()  # dropout off for the comparison, batch norm in training mode
    tl = _train(torch, tm, xs, ys)
    el = _train(ember, em, xs, ys)
    np.testing.assert_allclose(el, tl, rtol=2e-4, atol=2e-5)
    assert tl[-1] < tl[0]
    for k, v in tm.state_dict().items():
        np.testing.assert_allclose(em.state_dict()[k].numpy(), v.numpy(), rtol=1e-3, atol=1e-4, err_msg=k)
    # eval mode (running statistics) gives the same predictions too
    tm.eval()
    em.eval()
    x = xs[0]
    with torch.no_grad(), ember.no_grad():
        np.testing.assert_allclose(em(ember.tensor(x)).numpy(), tm(torch.tensor(x)).numpy(), rtol=1e-3, atol=1e-4)


def test_mlp_sgd_20_steps_matches_pytorch():
    _run(_mlp, (16, 1, 8, 8), 0)


def test_cnn_batchnorm_dropout_sgd_20_steps_matches_pytorch():
    _run(_cnn, (8, 1, 12, 12), 1)
