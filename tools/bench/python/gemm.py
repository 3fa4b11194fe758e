"""PyTorch reference for the GEMM benchmark: prints JSON {"MxKxN": GFLOP/s} for torch.mm on float32.

usage: python3 gemm.py --threads N [--seconds 1] MxKxN ...
"""
import json, statistics, sys, time
import torch

torch.set_num_threads(int(sys.argv[sys.argv.index("--threads") + 1]) if "--threads" in sys.argv else 1)
seconds = float(sys.argv[sys.argv.index("--seconds") + 1]) if "--seconds" in sys.argv else 1.0
shapes = [a for a in sys.argv[1:] if "x" in a]
out = {}
for s in shapes:
    m, k, n = (int(v) for v in s.split("x"))
    a, b = torch.randn(m, k), torch.randn(k, n)
    for _ in range(3):
        torch.mm(a, b)
    samples, start = [], time.perf_counter()
    while len(samples) < 7 or time.perf_counter() - start < seconds:
        t0 = time.perf_counter()
        torch.mm(a, b)
        samples.append(time.perf_counter() - t0)
    out[s] = 2 * m * k * n / statistics.median(samples) / 1e9
print(json.dumps(out))
