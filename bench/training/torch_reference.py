#!/usr/bin/env python3
"""PyTorch anchor for Lever's training benchmark (bench/training/run.sh).

The same Llama-style model as Lever's presets (RMSNorm, rotate-half RoPE, grouped-query attention, SwiGLU, tied
embeddings), the same batch, sequence length, optimizer (AdamW, betas 0.9/0.95, clip 1.0) and step count, trained
with full fine-tuning, LoRA (r=8, alpha=16, dropout 0.05 on q,k,v,o,gate,up,down) or QLoRA (NF4 base with
double-quantised block scales, dequantised on the fly, LoRA on top). Prints one JSON line: tokens/s (forward,
backward and optimizer time only, as Lever reports it), peak RSS, parameter counts.

With --precision bf16 the forward runs under torch.autocast("cpu", dtype=torch.bfloat16) (linear and matmul in
bfloat16 over float32 parameters and AdamW state) and the loss is computed from float32 logits, as Lever's bf16 does.

Pinned so it is a stable anchor: --threads sets torch's intra-op threads and OMP_NUM_THREADS/OPENBLAS_NUM_THREADS
(before torch loads), inter-op threads are 1 (as in Lever), and the BLAS Debian's alternatives selected is printed.
--gradient-checkpointing and --return-freed-memory mirror the memory settings Lever's run chose. --repeats N runs the
steps N times after one warm-up step and reports min/median/max tokens/s; "stable" is false when (max - min) / median
exceeds 15%, and then the anchor is no claim.

Debian's python3-torch is 1.13 (no scaled_dot_product_attention), so attention is written out: softmax(QKᵀ/√d + mask)V.
"""
import argparse, ctypes, json, math, os, resource, statistics, subprocess, sys, time

def _threads_from_argv():
    for i, arg in enumerate(sys.argv):
        if arg == "--threads" and i + 1 < len(sys.argv): return sys.argv[i + 1]
        if arg.startswith("--threads="): return arg.split("=", 1)[1]
    return "2"

# OpenMP and OpenBLAS read these once, when torch loads them: set them first.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = _threads_from_argv()
import torch
import torch.utils.checkpoint
import torch.nn as nn
import torch.nn.functional as F

PRESETS = {
    "small": dict(vocab=16384, hidden=512, inter=1376, layers=6, heads=8, kv=4),
    "base": dict(vocab=32000, hidden=768, inter=2816, layers=12, heads=12, kv=4),
}
NF4 = torch.tensor([-1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635,
                    -0.18477343022823334, -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725,
                    0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941,
                    0.7229568362236023, 1.0])


class RMSNorm(nn.Module):
    def __init__(self, d, eps=1e-5):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


class Nf4Linear(nn.Module):
    """Frozen weight in NF4 (blocks of 64, absmax scales int8-quantised in blocks of 256), dequantised per forward."""
    def __init__(self, dense):
        super().__init__()
        w = dense.weight.detach().float().flatten()
        self.shape = dense.weight.shape
        blocks = w.view(-1, 64)
        absmax = blocks.abs().amax(1).clamp_min(1e-12)
        mid = (NF4[:-1] + NF4[1:]) / 2
        codes = torch.searchsorted(mid, (blocks / absmax[:, None]).flatten().contiguous())
        pairs = codes.view(-1, 2)
        self.register_buffer("codes", (pairs[:, 0] * 16 + pairs[:, 1]).to(torch.uint8))
        self.offset = absmax.mean()
        centred = (absmax - self.offset).view(-1, 256) if absmax.numel() % 256 == 0 else F.pad(absmax - self.offset, (0, 256 - absmax.numel() % 256)).view(-1, 256)
        scales = centred.abs().amax(1).clamp_min(1e-12) / 127
        self.register_buffer("scales", scales)
        self.register_buffer("qabs", (centred / scales[:, None]).round().clamp(-127, 127).to(torch.int8).flatten()[: absmax.numel()])

    def forward(self, x):
        c = self.codes.long()
        idx = torch.stack([c // 16, c % 16], 1).flatten()
        absmax = self.qabs.float() * self.scales.repeat_interleave(256)[: self.qabs.numel()] + self.offset
        w = (NF4[idx].view(-1, 64) * absmax[:, None]).view(self.shape)
        return F.linear(x, w)


class LoraLinear(nn.Module):
    def __init__(self, base, r=8, alpha=16, dropout=0.05):
        super().__init__()
        self.base_layer = base
        out_f, in_f = base.shape if isinstance(base, Nf4Linear) else base.weight.shape
        self.lora_A = nn.Linear(in_f, r, bias=False)
        self.lora_B = nn.Linear(r, out_f, bias=False)
        nn.init.kaiming_uniform_(self.lora_A.weight, a=math.sqrt(5))
        nn.init.zeros_(self.lora_B.weight)
        self.scaling = alpha / r
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        return self.base_layer(x) + self.lora_B(self.lora_A(self.dropout(x))) * self.scaling


def rope(x, cos, sin):
    half = x.shape[-1] // 2
    rotated = torch.cat([-x[..., half:], x[..., :half]], -1)
    return x * cos + rotated * sin


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        h, self.nh, self.nkv = c["hidden"], c["heads"], c["kv"]
        self.hd = h // self.nh
        self.q_proj = nn.Linear(h, self.nh * self.hd, bias=False)
        self.k_proj = nn.Linear(h, self.nkv * self.hd, bias=False)
        self.v_proj = nn.Linear(h, self.nkv * self.hd, bias=False)
        self.o_proj = nn.Linear(self.nh * self.hd, h, bias=False)
        self.gate_proj = nn.Linear(h, c["inter"], bias=False)
        self.up_proj = nn.Linear(h, c["inter"], bias=False)
        self.down_proj = nn.Linear(c["inter"], h, bias=False)
        self.input_layernorm = RMSNorm(h)
        self.post_attention_layernorm = RMSNorm(h)

    def forward(self, x, cos, sin, mask):
        b, t, _ = x.shape
        y = self.input_layernorm(x)
        q = self.q_proj(y).view(b, t, self.nh, self.hd).transpose(1, 2)
        k = self.k_proj(y).view(b, t, self.nkv, self.hd).transpose(1, 2)
        v = self.v_proj(y).view(b, t, self.nkv, self.hd).transpose(1, 2)
        q, k = rope(q, cos, sin), rope(k, cos, sin)
        rep = self.nh // self.nkv
        k, v = k.repeat_interleave(rep, 1), v.repeat_interleave(rep, 1)
        att = (q @ k.transpose(-1, -2)) / math.sqrt(self.hd) + mask
        y = (att.softmax(-1) @ v).transpose(1, 2).reshape(b, t, -1)
        x = x + self.o_proj(y)
        y = self.post_attention_layernorm(x)
        return x + self.down_proj(F.silu(self.gate_proj(y)) * self.up_proj(y))


class Llama(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embed_tokens = nn.Embedding(c["vocab"], c["hidden"])
        self.layers = nn.ModuleList([Block(c) for _ in range(c["layers"])])
        self.norm = RMSNorm(c["hidden"])
        self.checkpointing = False
        hd = c["hidden"] // c["heads"]
        self.inv_freq = 1.0 / (10000 ** (torch.arange(0, hd, 2).float() / hd))
        for p in self.parameters():
            nn.init.normal_(p, 0, 0.02) if p.dim() > 1 else None

    def forward(self, ids):
        t = ids.shape[1]
        freqs = torch.outer(torch.arange(t).float(), self.inv_freq)
        emb = torch.cat([freqs, freqs], -1)
        cos, sin = emb.cos(), emb.sin()
        mask = torch.full((t, t), float("-inf")).triu(1)
        x = self.embed_tokens(ids)
        for layer in self.layers:
            if self.checkpointing and self.training:
                # reentrant, as Lever's: a frozen embedding needs an input that requires grad (enable_input_require_grads)
                if not x.requires_grad: x = x.detach().requires_grad_()
                x = torch.utils.checkpoint.checkpoint(layer, x, cos, sin, mask, use_reentrant=True)
            else:
                x = layer(x, cos, sin, mask)
        return F.linear(self.norm(x), self.embed_tokens.weight)   # tied lm_head


def blas():
    """The libblas.so.3 Debian's alternatives point at (generic BLAS is ~10x slower than OpenBLAS)."""
    try:
        q = subprocess.run(["update-alternatives", "--query", "libblas.so.3-x86_64-linux-gnu"], capture_output=True, text=True).stdout
        return next((l.split(":", 1)[1].strip() for l in q.splitlines() if l.startswith("Value:")), "unknown")
    except OSError:
        return "unknown"


def return_freed_memory():
    """mallopt(M_MMAP_THRESHOLD, 64 KiB), as lever train does: freed blocks of 64 KiB or more go back to the OS."""
    return ctypes.CDLL("libc.so.6").mallopt(-3, 65536) == 1


TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", default="small")
    ap.add_argument("--method", default="full", choices=["full", "lora", "qlora"])
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--seq-len", type=int, default=256)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--precision", default="f32", choices=["f32", "bf16"])
    ap.add_argument("--gradient-checkpointing", default="false", choices=["true", "false"])
    ap.add_argument("--return-freed-memory", default="false", choices=["true", "false"])
    ap.add_argument("--repeats", type=int, default=5)
    a = ap.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    released = a.return_freed_memory == "true" and return_freed_memory()
    c = PRESETS[a.preset]
    model = Llama(c)
    model.checkpointing = a.gradient_checkpointing == "true"
    total = sum(p.numel() for p in model.parameters())
    if a.method != "full":
        for p in model.parameters():
            p.requires_grad = False
        for block in model.layers:
            for name in TARGETS:
                base = getattr(block, name)
                if a.method == "qlora":
                    base = Nf4Linear(base)
                setattr(block, name, LoraLinear(base))
        total += sum(p.numel() for n, p in model.named_parameters() if "lora_" in n)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=1e-4, betas=(0.9, 0.95), weight_decay=0.0)
    gen = torch.Generator().manual_seed(1)
    model.train()

    def run(steps):
        compute, tokens = 0.0, 0
        for step in range(steps):
            ids = torch.randint(0, c["vocab"], (a.batch, a.seq_len), generator=gen)
            t0 = time.perf_counter()
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=a.precision == "bf16"):
                logits = model(ids)
            logits = logits.float()   # the loss (log-softmax) in float32
            loss = F.cross_entropy(logits[:, :-1].reshape(-1, c["vocab"]), ids[:, 1:].reshape(-1))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            opt.zero_grad(set_to_none=False)
            loss.item()
            compute += time.perf_counter() - t0
            tokens += ids.numel()
        return tokens / compute

    run(1)   # one warm-up step, discarded
    runs = [run(a.steps) for _ in range(a.repeats)]
    median = statistics.median(runs)
    print(json.dumps({"impl": "pytorch " + torch.__version__, "preset": a.preset, "method": a.method, "precision": a.precision,
                      "threads": a.threads, "interop_threads": torch.get_num_interop_threads(), "blas": blas(),
                      "omp_num_threads": os.environ["OMP_NUM_THREADS"], "gradient_checkpointing": model.checkpointing, "return_freed_memory": released,
                      "tokens_per_second": median, "tokens_per_second_min": min(runs), "tokens_per_second_max": max(runs),
                      "spread": (max(runs) - min(runs)) / median, "stable": (max(runs) - min(runs)) / median <= 0.15, "peak_memory_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "trainable_params": sum(p.numel() for p in params), "total_params": total}))


if __name__ == "__main__":
    main()
