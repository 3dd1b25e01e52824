"""The CuPy backend: the same ops on 'cuda' tensors give the CPU's results (skipped without a GPU)."""

import numpy as np
import pytest

import ember

pytestmark = pytest.mark.skipif(not ember.cuda.is_available(), reason="needs an NVIDIA GPU with CuPy")

CASES = [
    ("add_bcast", lambda L, a, b: a + b[0]),
    ("mul_exp_tanh", lambda L, a, b: (a * b).exp().tanh()),
    ("matmul", lambda L, a, b: a @ b.t()),
    ("sum_dim", lambda L, a, b: a.sum(1)),
    ("softmax", lambda L, a, b: a.softmax(-1)),
    ("getitem", lambda L, a, b: a[L.tensor([0, 2], device=a.device)]),
    ("cat", lambda L, a, b: L.cat([a, b], 1)),
]


@pytest.mark.parametrize("name,fn", CASES, ids=[c[0] for c in CASES])
def test_cuda_matches_cpu(name, fn):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((4, 6)).astype(np.float32) for _ in range(2)]
    results = {}
    for dev in ("cpu", "cuda"):
        a, b = (ember.tensor(x, device=dev, requires_grad=True) for x in arrays)
        out = fn(ember, a, b)
        assert out.device.type == dev
        out.sum().backward()
        results[dev] = (
            out.detach().cpu().numpy(),
            a.grad.cpu().numpy(),
            b.grad.cpu().numpy() if b.grad is not None else None,
        )
    for c, g in zip(results["cpu"], results["cuda"]):
        if c is not None:
            np.testing.assert_allclose(g, c, rtol=1e-5, atol=1e-5)


def test_to_and_back():
    x = ember.arange(6.0).reshape(2, 3)
    y = x.cuda()
    assert y.is_cuda and y.device == ember.device("cuda", 0)
    assert y.cpu().tolist() == x.tolist()
    assert "device='cuda:0'" in repr(y)
