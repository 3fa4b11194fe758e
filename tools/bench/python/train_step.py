"""PyTorch reference for the training benchmarks, --threads N threads (default 1): prints JSON {samples_per_sec, median_step_ms}.

usage: python3 train_step.py mlp|lenet5|resnet18-64 [--seconds 3]
"""
import json, statistics, sys, time
import torch
import torch.nn as nn

# --threads N: PyTorch's intra-op threads (1 by default).
torch.set_num_threads(int(sys.argv[sys.argv.index("--threads") + 1]) if "--threads" in sys.argv else 1)
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
elif which == "resnet18-64":
    # torchvision's ResNet-18 (written out: Debian has no python3-torchvision) on 64x64 images, 200 classes.
    class Basic(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(cout)
            self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)
            self.down = None
            if stride != 1 or cin != cout:
                self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
        def forward(self, x):
            y = torch.relu(self.bn1(self.conv1(x)))
            y = self.bn2(self.conv2(y))
            return torch.relu(y + (x if self.down is None else self.down(x)))
    layers = [nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(3, 2, 1)]
    cin = 64
    for cout, stride in [(64, 1), (128, 2), (256, 2), (512, 2)]:
        layers += [Basic(cin, cout, stride), Basic(cout, cout, 1)]
        cin = cout
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, 200)]
    model = nn.Sequential(*layers)
    batch = 16
    x = torch.randn(batch, 3, 64, 64)
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
