"""PyTorch reference for the RBM benchmark: a plain 784-500 binary RBM, --threads N (default 1). Prints one JSON line.

usage: python3 rbm.py [--betas 14501] [--runs 100] [--epochs 1] [--dbn-epochs 1]
  seconds per CD-1 and per PCD epoch over 8,000 binary images at batch 64 (SGD lr 0.05 on the CD
  statistics, momentum 0.5), seconds per AIS estimate (runs x betas, Salakhutdinov-Murray updates), and
  seconds per greedy pretraining of the DBN 784-500-500-2000 with 10 label units joined to the top RBM
  (--dbn-epochs CD-1 epochs per layer, momentum 0.5, weight decay 2e-4, hidden probabilities passed up;
  0 skips it), as models' DBN.pretrain does.
"""
import json, sys, time
import torch

torch.set_num_threads(int(sys.argv[sys.argv.index("--threads") + 1]) if "--threads" in sys.argv else 1)
arg = lambda name, d: type(d)(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else d
betas_n, runs, epochs, dbn_epochs = arg("--betas", 14501), arg("--runs", 100), arg("--epochs", 1), arg("--dbn-epochs", 1)
torch.manual_seed(0)
V, H, N, B = 784, 500, 8000, 64
data = (torch.rand(N, V) < 0.13).float()


def rbm(v, h):
    return [torch.randn(h, v) * 0.01, torch.zeros(v), torch.zeros(h)]


def cd_epoch(params, x, persistent, lr=0.05, decay=0.0):
    W, b, c = params
    vel = [torch.zeros_like(p) for p in params]
    chains = x[:B].clone()
    for s in range(0, x.shape[0], B):
        v0 = x[s:s + B]
        ph0 = torch.sigmoid(v0 @ W.T + c)
        start = chains if persistent else v0
        h = torch.bernoulli(torch.sigmoid(start @ W.T + c)) if persistent else torch.bernoulli(ph0)
        v = torch.bernoulli(torch.sigmoid(h @ W + b))
        ph = torch.sigmoid(v @ W.T + c)
        if persistent:
            chains = v
        grads = [(ph0.T @ v0 - ph.T @ v) / v0.shape[0] - decay * W, (v0 - v).mean(0), (ph0 - ph).mean(0)]
        for p, g, m in zip(params, grads, vel):
            m.mul_(0.5).add_(g)
            p.add_(lr * m)


def timed(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def ais(params):
    W, b, c = params
    betas = torch.linspace(0, 1, betas_n)
    v = torch.bernoulli(torch.full((runs, V), 0.5))
    logw = torch.zeros(runs)
    sp = torch.nn.functional.softplus
    for k in range(1, betas_n):
        b1, b2 = betas[k - 1], betas[k]
        x = v @ W.T + c
        logw += (b2 - b1) * (v @ b) + sp(b2 * x).sum(1) - sp(b1 * x).sum(1)
        h = torch.bernoulli(torch.sigmoid(b2 * x))
        v = torch.bernoulli(torch.sigmoid(b2 * (h @ W + b)))


def pretrain_dbn():
    sizes = [784, 500, 500, 2000]
    labels = torch.nn.functional.one_hot(torch.randint(0, 10, (N,)), 10).float()
    x = data
    for i in range(len(sizes) - 1):
        if i == len(sizes) - 2:
            x = torch.cat([x, labels], 1)
        params = rbm(x.shape[1], sizes[i + 1])
        for _ in range(dbn_epochs):
            cd_epoch(params, x[torch.randperm(N)], False, decay=2e-4)
        if i < len(sizes) - 2:
            x = torch.cat([torch.sigmoid(x[s:s + 1024] @ params[0].T + params[2]) for s in range(0, N, 1024)])


with torch.no_grad():
    params = rbm(V, H)
    cd1 = min(timed(lambda: cd_epoch(params, data, False)) for _ in range(epochs))
    pcd = min(timed(lambda: cd_epoch(params, data, True)) for _ in range(epochs))
    a = timed(lambda: ais(params))
    d = timed(pretrain_dbn) if dbn_epochs > 0 else None
print(json.dumps({"cd1_epoch_s": cd1, "pcd_epoch_s": pcd, "ais_s": a, "dbn_s": d, "betas": betas_n, "runs": runs, "dbn_epochs": dbn_epochs, "torch": torch.__version__}))
