"""PyTorch reference for the RBM benchmark: a plain 784-500 binary RBM, --threads N (default 1). Prints one JSON line.

usage: python3 rbm.py [--betas 14501] [--runs 100] [--epochs 1]
  seconds per CD-1 and per PCD epoch over 8,000 binary images at batch 64 (SGD lr 0.05 on the CD
  statistics, momentum 0.5), and seconds per AIS estimate (runs x betas, Salakhutdinov-Murray updates).
"""
import json, sys, time
import torch

torch.set_num_threads(int(sys.argv[sys.argv.index("--threads") + 1]) if "--threads" in sys.argv else 1)
arg = lambda name, d: type(d)(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else d
betas_n, runs, epochs = arg("--betas", 14501), arg("--runs", 100), arg("--epochs", 1)
torch.manual_seed(0)
V, H, N, B = 784, 500, 8000, 64
data = (torch.rand(N, V) < 0.13).float()
W = torch.randn(H, V) * 0.01
b = torch.zeros(V)
c = torch.zeros(H)
vel = [torch.zeros_like(W), torch.zeros_like(b), torch.zeros_like(c)]


def epoch(persistent):
    global W, b, c
    chains = data[:B].clone()
    t0 = time.perf_counter()
    for s in range(0, N, B):
        v0 = data[s:s + B]
        ph0 = torch.sigmoid(v0 @ W.T + c)
        start = chains if persistent else v0
        h = torch.bernoulli(torch.sigmoid(start @ W.T + c)) if persistent else torch.bernoulli(ph0)
        v = torch.bernoulli(torch.sigmoid(h @ W + b))
        ph = torch.sigmoid(v @ W.T + c)
        if persistent:
            chains = v
        grads = [(ph0.T @ v0 - ph.T @ v) / B, (v0 - v).mean(0), (ph0 - ph).mean(0)]
        for p, g, m in zip((W, b, c), grads, vel):
            m.mul_(0.5).add_(g)
            p.add_(0.05 * m)
    return time.perf_counter() - t0


def ais():
    betas = torch.linspace(0, 1, betas_n)
    t0 = time.perf_counter()
    v = torch.bernoulli(torch.full((runs, V), 0.5))
    logw = torch.zeros(runs)
    sp = torch.nn.functional.softplus
    for k in range(1, betas_n):
        b1, b2 = betas[k - 1], betas[k]
        x = v @ W.T + c
        logw += (b2 - b1) * (v @ b) + sp(b2 * x).sum(1) - sp(b1 * x).sum(1)
        h = torch.bernoulli(torch.sigmoid(b2 * x))
        v = torch.bernoulli(torch.sigmoid(b2 * (h @ W + b)))
    return time.perf_counter() - t0


with torch.no_grad():
    cd1 = min(epoch(False) for _ in range(epochs))
    pcd = min(epoch(True) for _ in range(epochs))
    a = ais()
print(json.dumps({"cd1_epoch_s": cd1, "pcd_epoch_s": pcd, "ais_s": a, "betas": betas_n, "runs": runs, "torch": torch.__version__}))
