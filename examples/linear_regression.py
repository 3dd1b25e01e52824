"""Fit y = 3x - 2 + noise with a hand-written linear model and autograd (no nn yet)."""

import ember as torch

torch.manual_seed(0)
x = torch.randn(256, 1)
y = 3 * x - 2 + 0.1 * torch.randn(256, 1)

w = torch.zeros(1, 1, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
lr = 0.1
for step in range(101):
    pred = x @ w + b
    loss = ((pred - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
        b -= lr * b.grad
        w.grad.zero_()
        b.grad.zero_()
    if step % 20 == 0:
        print(f"step {step:3d}  loss {loss.item():.4f}")
print(f"w = {w.item():.3f}, b = {b.item():.3f}")
