"""PyTorch reference for the recurrent benchmarks, --threads N threads (default 1). Prints one JSON line.

usage: python3 rnn_step.py lstm|gru|charlm [--seconds 3]
  lstm, gru: forward + backward + Adam(1e-3) of nn.LSTM/GRU(64, 128) on x [50, 32, 64], MSE of the whole
             output against a fixed target: {"median_step_ms"}
  charlm:    Embedding(65, 64) -> LSTM(64, 256) -> Linear(256, 65), eval, no_grad: generate 200 tokens one
             at a time at batch 1 (argmax, carrying (h, c)), and score 32 x 100 tokens in one call:
             {"generate_tokens_per_sec", "score_tokens_per_sec"}
"""
import json, statistics, sys, time
import torch
import torch.nn as nn

# --threads N: PyTorch's intra-op threads (1 by default).
torch.set_num_threads(int(sys.argv[sys.argv.index("--threads") + 1]) if "--threads" in sys.argv else 1)
torch.manual_seed(0)
which = sys.argv[1]
seconds = float(sys.argv[sys.argv.index("--seconds") + 1]) if "--seconds" in sys.argv else 3.0


def median_ms(fn, warmup=3, min_samples=10):
    for _ in range(warmup):
        fn()
    times = []
    start = time.perf_counter()
    while len(times) < min_samples or time.perf_counter() - start < seconds:
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


if which in ("lstm", "gru"):
    layer = (nn.LSTM if which == "lstm" else nn.GRU)(64, 128)
    x = torch.randn(50, 32, 64)
    y = torch.randn(50, 32, 128)
    opt = torch.optim.Adam(layer.parameters(), lr=1e-3)

    def step():
        opt.zero_grad()
        out, _ = layer(x)
        nn.functional.mse_loss(out, y).backward()
        opt.step()

    print(json.dumps({"median_step_ms": median_ms(step), "torch": torch.__version__}))
elif which == "charlm":
    embed, lstm, head = nn.Embedding(65, 64), nn.LSTM(64, 256), nn.Linear(256, 65)
    for m in (embed, lstm, head):
        m.eval()
    batch = torch.randint(0, 65, (100, 32))

    def generate():
        with torch.no_grad():
            tok = torch.zeros(1, 1, dtype=torch.long)
            state = None
            for _ in range(200):
                out, state = lstm(embed(tok), state)
                tok = head(out).argmax(-1)

    def score():
        with torch.no_grad():
            head(lstm(embed(batch))[0])

    gen_ms = median_ms(generate, min_samples=5)
    score_ms = median_ms(score, min_samples=5)
    print(json.dumps({"generate_tokens_per_sec": 200 * 1000 / gen_ms, "score_tokens_per_sec": 3200 * 1000 / score_ms, "torch": torch.__version__}))
else:
    raise SystemExit("unknown benchmark " + which)
