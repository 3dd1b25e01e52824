"""10**7 float32 uniforms and normals: ember against PyTorch on one thread (best of 5)."""

import time

import torch

import ember

N = 10**7


def _best(fn, reps=5):
    best = float("inf")
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main():
    torch.set_num_threads(1)
    torch.manual_seed(0)
    ember.manual_seed(0)
    rows = [
        ("rand float32", lambda: ember.rand(N), lambda: torch.rand(N)),
        ("randn float32", lambda: ember.randn(N), lambda: torch.randn(N)),
        ("rand float64", lambda: ember.rand(N, dtype=ember.float64), lambda: torch.rand(N, dtype=torch.float64)),
        ("randperm 1e6", lambda: ember.randperm(10**6), lambda: torch.randperm(10**6)),
    ]
    for name, e, t in rows:
        te, tt = _best(e), _best(t)
        print(f"{name:16s} ember {te * 1e3:8.1f} ms  torch {tt * 1e3:8.1f} ms  ratio {te / tt:5.2f}x")


if __name__ == "__main__":
    main()
