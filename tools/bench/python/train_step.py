"""PyTorch reference for the training benchmarks, one thread: prints JSON {samples_per_sec, median_step_ms}.

usage: python3 train_step.py mlp|lenet5 [--seconds 3]
"""
import json, statistics, sys, time
import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)
which = sys.argv[1]
seconds = float(sys.argv[sys.argv.index("--seconds") + 1]) if "--seconds" in sys.argv else 3.0
batch = 64
if which == "mlp":
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Dropout(0.2), nn.Linear(256, 128), nn.ReLU(), nn.Dropout(0.2), nn.Linear(128, 10))
    x = torch.randn(batch, 784)
elif which == "lenet5":
    model = nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 120, 5), nn.ReLU(), nn.Flatten(),
        nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
    x = torch.randn(batch, 1, 28, 28)
else:
    raise SystemExit("unknown model " + which)
y = torch.randint(0, 10, (batch,))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.CrossEntropyLoss()

def step():
    opt.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    opt.step()

for _ in range(10):
    step()
times = []
start = time.perf_counter()
while len(times) < 20 or time.perf_counter() - start < seconds:
    t0 = time.perf_counter()
    step()
    times.append((time.perf_counter() - t0) * 1000)
med = statistics.median(times)
print(json.dumps({"samples_per_sec": batch * 1000 / med, "median_step_ms": med, "torch": torch.__version__, "threads": torch.get_num_threads()}))
