"""PyTorch peers of the graph benchmarks, in plain PyTorch (no PyTorch Geometric), one thread (--threads N: N). Prints one JSON line.

usage: python3 gnn_epoch.py gcn|gat cora|citeseer [--seconds 3] [--seeds N [--best]] [--epochs 200]
  default:    median ms of one training epoch (forward, cross-entropy on the training nodes, backward,
              Adam step) of the model of PyG's examples: {"median_epoch_ms", "epoch_ms_samples"}
  --seeds N:  also train N seeds for 200 epochs and report test accuracy: {"accuracies"}
  --best:     with --seeds, also the test accuracy at the first epoch of best validation accuracy, as
              PyG's examples report it: {"best_val_accuracies"}
  --ema D:    with --seeds, also the test accuracy after the last epoch of an exponential moving average
              of the weights (torch.optim.swa_utils.AveragedModel, avg = D avg + (1 - D) p as PyTorch's
              get_ema_multi_avg_fn, the first update a copy; updated after every step), the GAT recipe of the README: {"ema_accuracies"}
usage: python3 gnn_epoch.py spmm cora|citeseer [--seconds 3]
  torch.sparse.mm of the normalised adjacency (self-loops added) by a dense [N, F] matrix, F = 16 and 64:
  {"spmm_ms": {"16": .., "64": ..}}

GCN: dropout 0.5 on the stored values of the row-normalised sparse features, X W1 by torch.sparse.mm,
D^-1/2 (A + I) D^-1/2 (precomputed, sparse) times that, + b1, ReLU, dropout 0.5, the same with W2 [16, C];
Adam lr 0.01, weight decay 5e-4 on the first layer. GAT: 8 heads x 8, then 1 head averaged, LeakyReLU
0.2, softmax over each node's incoming edges (self-loops added) by scatter_reduce amax / index_add_,
attention and feature dropout 0.6, ELU; messages by gather and index_add_; Adam lr 0.005, weight
decay 5e-4. Glorot initialisation, zero biases, as PyG.
"""
import json, math, os, statistics, sys, time
import torch
import torch.nn.functional as F

args = sys.argv[1:]
torch.set_num_threads(int(args[args.index("--threads") + 1]) if "--threads" in args else 1)
which, name = args[0], args[1]
opt = lambda flag, default: type(default)(args[args.index(flag) + 1]) if flag in args else default
seconds, seeds, epochs, ema = opt("--seconds", 3.0), opt("--seeds", 0), opt("--epochs", 200), opt("--ema", 0.0)
best = "--best" in args

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "packages", "data", "planetoid")
d = json.load(open(os.path.join(root, name + ".json")))
n, nf, nc = d["numNodes"], d["numFeatures"], d["numClasses"]
ip = torch.tensor(d["featureIndptr"])
rows = torch.repeat_interleave(torch.arange(n), ip[1:] - ip[:-1])
cols = torch.tensor(d["featureIndices"])
counts = (ip[1:] - ip[:-1]).float().clamp(min=1)
x_idx = torch.stack([rows, cols])
x_val = 1.0 / counts[rows]  # NormalizeFeatures: each row sums to 1
e = torch.tensor(d["edges"]).view(-1, 2).t()
src = torch.cat([e[0], e[1]])
dst = torch.cat([e[1], e[0]])
y = torch.tensor(d["labels"])
train, val, test = (torch.tensor(d[k]) for k in ("trainIndex", "valIndex", "testIndex"))

loop = torch.arange(n)
src_l, dst_l = torch.cat([src, loop]), torch.cat([dst, loop])  # the graph has no self-loops
deg = torch.zeros(n).index_add_(0, dst_l, torch.ones(dst_l.numel()))
norm = deg[src_l].rsqrt() * deg[dst_l].rsqrt()
A = torch.sparse_coo_tensor(torch.stack([dst_l, src_l]), norm, (n, n)).coalesce()


def glorot(*shape):
    a = math.sqrt(6.0 / (shape[-2] + shape[-1]))
    return torch.empty(*shape).uniform_(-a, a).requires_grad_()


def sparse_x(p, training):
    # x_idx is sorted row-major without repeats (coalesced): say so, or sparse.mm would coalesce it every call.
    return torch.sparse_coo_tensor(x_idx, F.dropout(x_val, p, training), (n, nf))._coalesced_(True)


class GCN(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.w1, self.b1 = torch.nn.Parameter(glorot(nf, 16)), torch.nn.Parameter(torch.zeros(16))
        self.w2, self.b2 = torch.nn.Parameter(glorot(16, nc)), torch.nn.Parameter(torch.zeros(nc))

    def forward(self):
        h = torch.sparse.mm(A, torch.sparse.mm(sparse_x(0.5, self.training), self.w1)) + self.b1
        h = F.dropout(F.relu(h), 0.5, self.training)
        return torch.sparse.mm(A, h @ self.w2) + self.b2

    def groups(self):
        return [dict(params=[self.w1, self.b1], weight_decay=5e-4), dict(params=[self.w2, self.b2], weight_decay=0)]


def gat_layer(h, att_src, att_dst, heads, ch, training):
    h = h.view(-1, heads, ch)
    a_src, a_dst = (h * att_src).sum(-1), (h * att_dst).sum(-1)
    s = F.leaky_relu(a_src[src_l] + a_dst[dst_l], 0.2)  # [E, H]
    m = torch.full((n, heads), -math.inf).scatter_reduce(0, dst_l.view(-1, 1).expand(-1, heads), s, "amax", include_self=True)
    w = (s - m[dst_l]).exp()
    alpha = w / torch.zeros(n, heads).index_add_(0, dst_l, w)[dst_l]
    alpha = F.dropout(alpha, 0.6, training)
    return torch.zeros(n, heads, ch).index_add_(0, dst_l, h[src_l] * alpha.unsqueeze(-1))


class GAT(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.w1, self.as1, self.ad1 = (torch.nn.Parameter(t) for t in (glorot(nf, 64), glorot(1, 8, 8), glorot(1, 8, 8)))
        self.b1 = torch.nn.Parameter(torch.zeros(64))
        self.w2, self.as2, self.ad2 = (torch.nn.Parameter(t) for t in (glorot(64, nc), glorot(1, 1, nc), glorot(1, 1, nc)))
        self.b2 = torch.nn.Parameter(torch.zeros(nc))

    def forward(self):
        h = torch.sparse.mm(sparse_x(0.6, self.training), self.w1)
        h = F.elu(gat_layer(h, self.as1, self.ad1, 8, 8, self.training).reshape(n, 64) + self.b1)
        h = F.dropout(h, 0.6, self.training) @ self.w2
        return gat_layer(h, self.as2, self.ad2, 1, nc, self.training).mean(1) + self.b2

    def groups(self):
        return [dict(params=self.parameters(), weight_decay=5e-4)]


def make(seed):
    torch.manual_seed(seed)
    m = GCN() if which == "gcn" else GAT()
    return m, torch.optim.Adam(m.groups(), lr=0.01 if which == "gcn" else 0.005)


def epoch(m, o):
    m.train()
    o.zero_grad()
    F.cross_entropy(m()[train], y[train]).backward()
    o.step()


def accuracy(m, idx):
    m.eval()
    with torch.no_grad():
        return (m()[idx].argmax(-1) == y[idx]).float().mean().item()


def median_ms(fn, warmup=3, min_samples=10):
    for _ in range(warmup):
        fn()
    times = []
    start = time.perf_counter()
    while len(times) < min_samples or time.perf_counter() - start < seconds:
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), times


if which == "spmm":
    Acsr = A.to_sparse_csr()
    out = {}
    for f in (16, 64):
        h = torch.randn(n, f)
        out[str(f)] = median_ms(lambda: torch.sparse.mm(A, h))[0]
        out["csr" + str(f)] = median_ms(lambda: Acsr @ h)[0]
    print(json.dumps({"spmm_ms": out, "nnz": A._nnz(), "torch": torch.__version__}))
    sys.exit()

m, o = make(0)
ms, samples = median_ms(lambda: epoch(m, o))
result = {"median_epoch_ms": ms, "epoch_ms_samples": len(samples), "torch": torch.__version__}
if seeds > 0:
    from torch.optim.swa_utils import AveragedModel  # PyTorch 1.13 has no get_ema_multi_avg_fn: its avg_fn form

    accs, best_accs, ema_accs = [], [], []
    for s in range(seeds):
        m, o = make(s)
        avg = AveragedModel(m, avg_fn=lambda a, p, n: ema * a + (1 - ema) * p) if ema > 0 else None
        best_val = best_test = -1.0
        for _ in range(epochs):
            epoch(m, o)
            if avg is not None:
                avg.update_parameters(m)
            if best:  # PyG's examples: the test accuracy of the first epoch with the best validation accuracy
                v = accuracy(m, val)
                if v > best_val:
                    best_val, best_test = v, accuracy(m, test)
        accs.append(accuracy(m, test))
        best_accs.append(best_test)
        if avg is not None:
            ema_accs.append(accuracy(avg.module, test))
    result["accuracies"] = accs
    if ema > 0:
        result["ema_accuracies"] = ema_accs
    if best:
        result["best_val_accuracies"] = best_accs
print(json.dumps(result))
