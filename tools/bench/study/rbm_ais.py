"""AIS (Salakhutdinov and Murray 2008) from the data's base-rate model on a saved 784-500 binary RBM, in plain PyTorch,
with their 14,501-temperature schedule made m times finer (m = 4: 58,001 temperatures). One estimator for the RBMs
of both sides: ours (rbm-train-save.mjs: raw float32 files) and PyTorch's (rbm_learn.py --save: .npz), so that
recipes whose estimates do not converge at 14,501 temperatures (constant-rate PCD) can be compared.
usage: python3 rbm_ais.py mnist-binarised.u8 <model.npz | raw f32 prefix> m [seed] [runs]
Prints one JSON line: log Z, the average test log-likelihood in nats, the runs' log-weight range and their effective
number (sum w)^2 / sum w^2."""
import json, math, sys, time
import numpy as np, torch
torch.set_num_threads(1)
path, model, m = sys.argv[1], sys.argv[2], int(sys.argv[3])
seed = int(sys.argv[4]) if len(sys.argv) > 4 else 0
runs = int(sys.argv[5]) if len(sys.argv) > 5 else 100
torch.manual_seed(seed)
raw = torch.from_numpy(np.fromfile(path, dtype=np.uint8).astype(np.float32)).view(-1, 784)
train, test = raw[:8000], raw[8000:10000]
if model.endswith('.npz'):
    z = np.load(model); W, b, c = [torch.from_numpy(z[k]) for k in ('weight', 'visible_bias', 'hidden_bias')]
else:
    W = torch.from_numpy(np.fromfile(model + '-W.f32', dtype=np.float32)).view(500, 784)
    b = torch.from_numpy(np.fromfile(model + '-b.f32', dtype=np.float32)); c = torch.from_numpy(np.fromfile(model + '-c.f32', dtype=np.float32))
V, H = 784, 500
sp = torch.nn.functional.softplus
betas = torch.cat([torch.arange(500 * m) * (1e-3 / m), 0.5 + torch.arange(4000 * m) * (1e-4 / m), 0.9 + torch.arange(10000 * m + 1) * (1e-5 / m)]).double()
p = train.mean(0).clamp(1e-3, 1 - 1e-3)
bA = torch.log(p / (1 - p))
t0 = time.perf_counter()
with torch.no_grad():
    v = torch.bernoulli(torch.sigmoid(bA).expand(runs, V))
    logw = torch.zeros(runs, dtype=torch.float64)
    bd = (b - bA)
    for k in range(1, len(betas)):
        b1, b2 = float(betas[k - 1]), float(betas[k])
        x = v @ W.T + c
        logw += ((b2 - b1) * (v @ bd) + sp(b2 * x).sum(1) - sp(b1 * x).sum(1)).double()
        h = torch.bernoulli(torch.sigmoid(b2 * x))
        v = torch.bernoulli(torch.sigmoid((1 - b2) * bA + b2 * (h @ W + b)))
    logw += H * math.log(2) + float(sp(bA).double().sum())
    mx = logw.max(); w = torch.exp(logw - mx)
    logZ = float(mx + torch.log(w.mean()))
    F = -(test @ b) - sp(test @ W.T + c).sum(1)
    ll = float(-F.double().mean() - logZ)
print(json.dumps({"model": model, "m": m, "betas": len(betas), "seed": seed, "runs": runs, "logZ": logZ, "test_ll": ll,
  "logw_min": float(logw.min()), "logw_max": float(logw.max()), "eff": float(w.sum() ** 2 / (w * w).sum()), "s": time.perf_counter() - t0}), flush=True)
