import torch
from torch import nn, optim

x = torch.cos(torch.arange(2 * 1 * 6 * 6, dtype=torch.float32)).reshape(2, 1, 6, 6)
net = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8, 3))
with torch.no_grad():
    for i, p in enumerate(net.parameters()):
        p.copy_(torch.cos(torch.arange(p.numel(), dtype=torch.float32) * 1.3 + i).reshape(p.shape) * 0.4)
opt = optim.Adam(net.parameters(), lr=0.01)
sched = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
target = torch.tensor([0, 2])
for step in range(4):
    opt.zero_grad()
    loss = nn.CrossEntropyLoss()(net(x), target)
    loss.backward()
    opt.step()
    sched.step()
    print(step, round(loss.item(), 4), sched.get_last_lr())
print(hasattr(torch, "definitely_not_a_torch_fn"))
