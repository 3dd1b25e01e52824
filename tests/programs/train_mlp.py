import os
import sys
import tempfile

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

assert __name__ == "__main__"
steps = int(sys.argv[1]) if len(sys.argv) > 1 else 5
xs = torch.sin(torch.arange(64, dtype=torch.float32).reshape(32, 2) / 7)
ys = (xs[:, 0] * 0.5 - xs[:, 1]).unsqueeze(1)
model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))
with torch.no_grad():
    for i, p in enumerate(model.parameters()):
        p.copy_(torch.cos(torch.arange(p.numel(), dtype=torch.float32) + i).reshape(p.shape) * 0.3)
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
loader = DataLoader(TensorDataset(xs, ys), batch_size=8, shuffle=False)
for epoch in range(steps):
    total = 0.0
    for xb, yb in loader:
        opt.zero_grad()
        loss = F.mse_loss(model(xb), yb)
        loss.backward()
        opt.step()
        total += loss.item()
    print(epoch, round(total, 3))
path = os.path.join(tempfile.mkdtemp(), "m.pt")
torch.save(model.state_dict(), path)
model2 = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))
model2.load_state_dict(torch.load(path))
print(torch.equal(model(xs), model2(xs)), sorted(model2.state_dict().keys()))
print(isinstance(model, torch.nn.Module), type(model).__name__)
