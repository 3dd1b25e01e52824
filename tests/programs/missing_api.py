import sys

import torch

print("start")
try:
    torch.some_missing_fn
except NotImplementedError as e:
    print("caught:", e)
import torch.distributions  # noqa: E402

print(hasattr(torch.distributions, "Normal"))
sys.exit(3)
