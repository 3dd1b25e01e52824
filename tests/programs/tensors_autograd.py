import torch

x = torch.arange(12, dtype=torch.float64).reshape(3, 4).requires_grad_()
y = (x.sin() * 2 + x**2).sum(dim=1)
y.sum().backward()
print([round(v, 4) for v in y.tolist()])
print([round(v, 4) for v in x.grad.flatten().tolist()])
a = torch.linspace(0, 1, 6).reshape(2, 3)
print(a.t().shape, a.mean().item().__round__(4), a.argmax().item())
m = torch.tensor([[4.0, 1.0], [1.0, 3.0]])
print([round(v, 4) for v in torch.linalg.inv(m).flatten().tolist()])
print(round(torch.linalg.det(m).item(), 4), [round(v, 4) for v in torch.linalg.eigvalsh(m).tolist()])
