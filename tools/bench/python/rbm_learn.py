"""The RBM learning recipes of `demo --task rbm` in plain PyTorch, for side-by-side log-likelihoods.

usage: python3 rbm_learn.py out/mnist-binarised.u8 cd1|pcd [--epochs 30] [--betas 14501] [--decay] [--base both|data|uniform]
                             [--seed 0] [--threads 1] [--save W.npz]
  784-500 binary RBM, W ~ N(0, 0.01), zero biases, plain SGD lr 0.05 (linearly to 0 with --decay), batch 64,
  CD-1 or PCD (chains = batch, started at the first batch); AIS with 100 runs over Salakhutdinov-Murray's
  14,501 temperatures from the base-rate model: `data` has the log-odds of the training pixels' means as
  visible biases (Salakhutdinov and Murray 2008), `uniform` zero biases (which underestimates log Z by
  tens of nats on PCD-trained RBMs: the runs' log weights spread over 60 nats); `both` (default) runs
  both and keeps the larger estimate, as demo --task rbm does. Prints one JSON line with logZ, each
  estimate with its runs' log-weight range and effective number of runs ((sum w)^2 / sum w^2), and the test log-likelihood.
"""
import json, math, sys, time
import numpy as np
import torch

torch.set_num_threads(int(sys.argv[sys.argv.index("--threads") + 1]) if "--threads" in sys.argv else 1)
arg = lambda name, d: type(d)(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else d
path, recipe = sys.argv[1], sys.argv[2]
epochs, betas_n, decay = arg("--epochs", 30), arg("--betas", 14501), "--decay" in sys.argv
base, seed = arg("--base", "both"), arg("--seed", 0)
torch.manual_seed(seed)
raw = torch.from_numpy(np.fromfile(path, dtype=np.uint8).astype(np.float32)).view(-1, 784)
train, test = raw[:8000], raw[8000:10000]
V, H, B, lr0 = 784, 500, 64, 0.05
W, b, c = torch.randn(H, V) * 0.01, torch.zeros(V), torch.zeros(H)
sp = torch.nn.functional.softplus
chains = None
steps, step = epochs * math.ceil(8000 / B), 0
t0 = time.perf_counter()
with torch.no_grad():
    for epoch in range(epochs):
        for idx in torch.randperm(8000).split(B):
            v0 = train[idx]
            lr = lr0 * (1 - step / steps) if decay else lr0
            ph0 = torch.sigmoid(v0 @ W.T + c)
            if recipe == "pcd":
                if chains is None:
                    chains = v0.clone()
                h = torch.bernoulli(torch.sigmoid(chains @ W.T + c))
            else:
                h = torch.bernoulli(ph0)
            v = torch.bernoulli(torch.sigmoid(h @ W + b))
            ph = torch.sigmoid(v @ W.T + c)
            if recipe == "pcd":
                chains = v
            W += lr * (ph0.T @ v0 / len(v0) - ph.T @ v / len(v))
            b += lr * (v0.mean(0) - v.mean(0))
            c += lr * (ph0.mean(0) - ph.mean(0))
            step += 1
    train_s = time.perf_counter() - t0
    if betas_n == 14501:
        betas = torch.cat([torch.arange(500) * 1e-3, 0.5 + torch.arange(4000) * 1e-4, 0.9 + torch.arange(10001) * 1e-5]).double()
    else:
        betas = torch.linspace(0, 1, betas_n).double()
    if "--save" in sys.argv:
        np.savez(arg("--save", ""), weight=W.numpy(), visible_bias=b.numpy(), hidden_bias=c.numpy())
    runs = 100
    def ais(bA):
        v = torch.bernoulli(torch.sigmoid(bA).expand(runs, V))
        logw = torch.zeros(runs, dtype=torch.float64)
        for k in range(1, len(betas)):
            b1, b2 = float(betas[k - 1]), float(betas[k])
            x = v @ W.T + c
            logw += ((b2 - b1) * (v @ (b - bA)) + sp(b2 * x).sum(1) - sp(b1 * x).sum(1)).double()
            h = torch.bernoulli(torch.sigmoid(b2 * x))
            v = torch.bernoulli(torch.sigmoid((1 - b2) * bA + b2 * (h @ W + b)))
        logw += H * math.log(2) + float(sp(bA).double().sum())
        m = logw.max()
        w = torch.exp(logw - m)
        return float(m + torch.log(w.mean())), float(logw.min()), float(logw.max()), float(w.sum() ** 2 / (w * w).sum())
    p = train.mean(0).clamp(1e-3, 1 - 1e-3)
    bases = {"data": torch.log(p / (1 - p)), "uniform": torch.zeros(V)}
    t1 = time.perf_counter()
    est = {name: ais(bA) for name, bA in bases.items() if base in (name, "both")}
    logZ = max(e[0] for e in est.values())
    F = -(test @ b) - sp(test @ W.T + c).sum(1)
    ll = float(-F.double().mean() - logZ)
print(json.dumps({"recipe": recipe, "decay": decay, "base": base, "seed": seed, "betas": len(betas), "logZ": logZ, "ais": est, "test_ll": ll, "train_s": train_s, "ais_s": time.perf_counter() - t1, "torch": torch.__version__}))
