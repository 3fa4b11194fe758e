"""PyTorch peers of the generative benchmarks, on --threads N intra-op threads (default 1). Prints one JSON line.

usage: python3 generative.py vae SPLIT [--epochs 10] [--seed 0] [--threads 1]
  PyTorch's examples/vae (784-400-20: fc1, fc21/fc22, fc3, fc4; sigmoid + binary cross-entropy summed,
  plus the KL term; Adam 1e-3; batch 128, shuffled) on SPLIT, a float32 file of 8,000 training then
  2,000 test images of 784 pixels in [0, 1]. After each epoch the test negative ELBO per image, with one
  sampled z per image as the example's test() computes it: {"epoch_s": [...], "test_nelbo": [...]}
usage: python3 generative.py dcgan SPLIT [--epochs 1] [--batches 125] [--seed 0] [--threads 1]
  The DCGAN of issue 15 on the 8,000 training images in [-1, 1], 125 batches of 64 per epoch, PyTorch's
  DCGAN example's step (D on real, D on G(z) detached, one Adam step; G on D(G(z)), one Adam step; BCE
  with logits), Adam 2e-4 betas (0.5, 0.999), N(0, 0.02) weights; --batches N stops each epoch after N
  batches: {"epoch_s": [...], "d_loss", "g_loss"}
"""
import json, sys, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

which, path = sys.argv[1], sys.argv[2]
arg = lambda flag, d: type(d)(sys.argv[sys.argv.index(flag) + 1]) if flag in sys.argv else d
torch.set_num_threads(arg("--threads", 1))
epochs, seed, batches = arg("--epochs", 10 if which == "vae" else 1), arg("--seed", 0), arg("--batches", 125)
torch.manual_seed(seed)
raw = torch.from_numpy(np.fromfile(path, dtype=np.float32)).view(-1, 784)
train, test = raw[:8000], raw[8000:10000]


class VAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc21, self.fc22 = nn.Linear(784, 400), nn.Linear(400, 20), nn.Linear(400, 20)
        self.fc3, self.fc4 = nn.Linear(20, 400), nn.Linear(400, 784)

    def forward(self, x):
        h = F.relu(self.fc1(x))
        mu, logvar = self.fc21(h), self.fc22(h)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        return torch.sigmoid(self.fc4(F.relu(self.fc3(z)))), mu, logvar


def vae_loss(recon, x, mu, logvar):
    bce = F.binary_cross_entropy(recon, x, reduction="sum")
    return bce - 0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())


if which == "vae":
    model = VAE()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    epoch_s, test_nelbo = [], []
    for epoch in range(epochs):
        model.train()
        t0 = time.perf_counter()
        for idx in torch.randperm(8000).split(128):
            x = train[idx]
            opt.zero_grad()
            recon, mu, logvar = model(x)
            loss = vae_loss(recon, x, mu, logvar)
            loss.backward()
            opt.step()
        epoch_s.append(time.perf_counter() - t0)
        model.eval()
        with torch.no_grad():
            total = 0.0
            for i in range(0, 2000, 500):
                x = test[i:i + 500]
                recon, mu, logvar = model(x)
                total += vae_loss(recon, x, mu, logvar).item()
        test_nelbo.append(total / 2000)
    print(json.dumps({"epoch_s": epoch_s, "test_nelbo": test_nelbo}))
elif which == "dcgan":
    G = nn.Sequential(
        nn.Linear(64, 128 * 7 * 7, bias=False), nn.BatchNorm1d(128 * 7 * 7), nn.ReLU(), nn.Unflatten(1, (128, 7, 7)),
        nn.ConvTranspose2d(128, 64, 4, 2, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
        nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Tanh())
    D = nn.Sequential(
        nn.Conv2d(1, 64, 4, 2, 1), nn.LeakyReLU(0.2),
        nn.Conv2d(64, 128, 4, 2, 1, bias=False), nn.BatchNorm2d(128), nn.LeakyReLU(0.2),
        nn.Flatten(), nn.Linear(128 * 7 * 7, 1))
    for m in list(G.modules()) + list(D.modules()):
        if isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.normal_(m.weight, 0.0, 0.02)
        elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            nn.init.normal_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)
    optD = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    optG = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    images = (train * 2 - 1).view(-1, 1, 28, 28)
    bce = nn.BCEWithLogitsLoss()
    epoch_s = []
    for epoch in range(epochs):
        t0 = time.perf_counter()
        for idx in torch.randperm(8000).split(64)[:batches]:
            real = images[idx]
            m = len(idx)
            ones, zeros = torch.ones(m, 1), torch.zeros(m, 1)
            optD.zero_grad()
            fake = G(torch.randn(m, 64))
            d_loss = bce(D(real), ones) + bce(D(fake.detach()), zeros)
            d_loss.backward()
            optD.step()
            optG.zero_grad()
            g_loss = bce(D(fake), ones)
            g_loss.backward()
            optG.step()
        epoch_s.append(time.perf_counter() - t0)
    print(json.dumps({"epoch_s": epoch_s, "d_loss": d_loss.item(), "g_loss": g_loss.item()}))
else:
    raise SystemExit(f"unknown benchmark {which!r} (vae or dcgan)")
