"""A GPT-style character model's training step, written once in PyTorch's API and run under PyTorch and
under ember at one thread: 4 pre-norm blocks (LayerNorm, causal F.scaled_dot_product_attention, GELU MLP),
d_model 128, 4 heads, context 64, batch 16, vocab 65, AdamW, as a nanoGPT user writes it. Both libraries
start from identical weights and alternate; the table gives median step times and the ratio ember/PyTorch.

    python benchmarks/bench_gpt.py
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import sys  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_nn import _libs, _row, measure  # noqa: E402

N_LAYER, N_HEAD, N_EMBD, BLOCK, BATCH, VOCAB = 4, 4, 128, 64, 16, 65


def build(lib):
    nn, F = lib.nn, lib.nn.functional

    class CausalSelfAttention(nn.Module):
        def __init__(self):
            super().__init__()
            self.c_attn = nn.Linear(N_EMBD, 3 * N_EMBD)
            self.c_proj = nn.Linear(N_EMBD, N_EMBD)

        def forward(self, x):
            B, T, C = x.size()
            q, k, v = self.c_attn(x).split(N_EMBD, dim=2)
            q = q.view(B, T, N_HEAD, C // N_HEAD).transpose(1, 2)
            k = k.view(B, T, N_HEAD, C // N_HEAD).transpose(1, 2)
            v = v.view(B, T, N_HEAD, C // N_HEAD).transpose(1, 2)
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            y = y.transpose(1, 2).contiguous().view(B, T, C)
            return self.c_proj(y)

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.c_fc = nn.Linear(N_EMBD, 4 * N_EMBD)
            self.gelu = nn.GELU()
            self.c_proj = nn.Linear(4 * N_EMBD, N_EMBD)

        def forward(self, x):
            return self.c_proj(self.gelu(self.c_fc(x)))

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln_1 = nn.LayerNorm(N_EMBD)
            self.attn = CausalSelfAttention()
            self.ln_2 = nn.LayerNorm(N_EMBD)
            self.mlp = MLP()

        def forward(self, x):
            x = x + self.attn(self.ln_1(x))
            return x + self.mlp(self.ln_2(x))

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.wte = nn.Embedding(VOCAB, N_EMBD)
            self.wpe = nn.Embedding(BLOCK, N_EMBD)
            self.h = nn.ModuleList([Block() for _ in range(N_LAYER)])
            self.ln_f = nn.LayerNorm(N_EMBD)
            self.lm_head = nn.Linear(N_EMBD, VOCAB, bias=False)

        def forward(self, idx, targets):
            B, T = idx.size()
            pos = lib.arange(0, T, dtype=lib.long)
            x = self.wte(idx) + self.wpe(pos)
            for block in self.h:
                x = block(x)
            logits = self.lm_head(self.ln_f(x))
            return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))

    return GPT()


def make_step(lib, state=None):
    lib.manual_seed(0)
    model = build(lib)
    if state is not None:
        model.load_state_dict({k: lib.tensor(v) for k, v in state.items()})
    rng = np.random.default_rng(0)
    data = rng.integers(0, VOCAB, (BATCH, BLOCK + 1))
    x, y = lib.tensor(data[:, :-1]), lib.tensor(data[:, 1:])
    opt = lib.optim.AdamW(model.parameters(), lr=1e-3)

    def step():
        loss = model(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss

    return step, model


def main():
    torch, ember = _libs()
    t_step, t_model = make_step(torch)
    state = {k: v.detach().numpy().copy() for k, v in t_model.state_dict().items()}
    e_step, _ = make_step(ember, state)
    lt, le = t_step().item(), e_step().item()
    print(f"first loss: torch {lt:.6f}  ember {le:.6f}")
    print(f"{'workload':<22}{'torch':>14}{'ember':>14}{'ratio':>6}   spread")
    _row("gpt train step", "ms", 1e3, *measure((t_step, e_step), reps=5))


if __name__ == "__main__":
    main()
