"""PyTorch peer of the transposed-convolution benchmark, one thread (--threads N: N). Prints one JSON line.

usage: python3 convt.py '<cases as JSON>' [--seconds 1] [--threads 1]
  cases: [{"name", "N", "C", "H", "OC", "K", "stride", "pad"}], x [N, C, H, H], weight [C, OC, K, K].
  For each case, the median ms of F.conv_transpose2d (with bias), of its input gradient alone and of
  its filter gradient alone (aten's convolution_backward, transposed=True, with the output mask
  selecting one gradient): {"cases": {name: {"fwd": ms, "dx": ms, "dw": ms}}}
"""
import json, statistics, sys, time
import torch
import torch.nn.functional as F

torch.set_num_threads(int(sys.argv[sys.argv.index("--threads") + 1]) if "--threads" in sys.argv else 1)
torch.manual_seed(0)
cases = json.loads(sys.argv[1])
seconds = float(sys.argv[sys.argv.index("--seconds") + 1]) if "--seconds" in sys.argv else 1.0


def median_ms(fn, warmup=2, min_samples=5):
    for _ in range(warmup):
        fn()
    times = []
    start = time.perf_counter()
    while len(times) < min_samples or time.perf_counter() - start < seconds:
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


out = {}
with torch.no_grad():
    for c in cases:
        x = torch.randn(c["N"], c["C"], c["H"], c["H"])
        w = torch.randn(c["C"], c["OC"], c["K"], c["K"])
        b = torch.randn(c["OC"])
        s, p = c["stride"], c["pad"]
        y = F.conv_transpose2d(x, w, b, stride=s, padding=p)
        gy = torch.randn_like(y)
        conv_bwd = lambda mask: torch.ops.aten.convolution_backward(gy, x, w, None, [s, s], [p, p], [1, 1], True, [0, 0], 1, mask)
        out[c["name"]] = dict(
            fwd=median_ms(lambda: F.conv_transpose2d(x, w, b, stride=s, padding=p)),
            dx=median_ms(lambda: conv_bwd([True, False, False])),
            dw=median_ms(lambda: conv_bwd([False, True, False])),
        )
print(json.dumps(dict(torch=torch.__version__, cases=out)))
