"""PyTorch peer of the convolutional VAE and autoencoder learning figures (tools/bench/src/codec-learning.ts).
Plain PyTorch, one thread. Prints one JSON line.

usage: python3 codec_learning.py SPLIT [--epochs 10] [--seed 0]
  SPLIT: a float32 file of 8,000 training then 2,000 test images of 784 pixels in [0, 1].
  The convolutional VAE and autoencoder of packages/models/src/generative/codec.ts, layer for layer:
  Conv2d(1, 32, 4, 2, 1) + ReLU -> Conv2d(32, 64, 4, 2, 1) + ReLU -> flatten (64*7*7) -> fc1 (-> 400) + ReLU
  -> fc21/fc22 (-> 20) for the VAE, fc2 (-> 32) for the autoencoder; fc3 (-> 400) + ReLU -> fc4 (-> 64*7*7)
  + ReLU -> ConvTranspose2d(64, 32, 4, 2, 1) + ReLU -> ConvTranspose2d(32, 1, 4, 2, 1) -> logits.
  Loss per image: binary cross-entropy summed over the pixels (+ the KL term for the VAE); Adam 1e-3,
  batch 128, shuffled. After each epoch the test loss per image in eval mode (the VAE with one sampled z
  per image, as PyTorch's examples/vae tests): {"vae": [...], "ae": [...], "vae_s": [...], "ae_s": [...]}
"""
import json, sys, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
path = sys.argv[1]
arg = lambda flag, d: type(d)(sys.argv[sys.argv.index(flag) + 1]) if flag in sys.argv else d
epochs, seed = arg("--epochs", 10), arg("--seed", 0)
torch.manual_seed(seed)
raw = torch.from_numpy(np.fromfile(path, dtype=np.float32)).view(-1, 1, 28, 28)
train, test = raw[:8000], raw[8000:10000]


class Codec(nn.Module):
    def __init__(self, vae):
        super().__init__()
        self.vae = vae
        self.features = nn.Sequential(nn.Conv2d(1, 32, 4, 2, 1), nn.ReLU(), nn.Conv2d(32, 64, 4, 2, 1), nn.ReLU(), nn.Flatten())
        self.fc1 = nn.Linear(64 * 7 * 7, 400)
        if vae:
            self.fc21, self.fc22 = nn.Linear(400, 20), nn.Linear(400, 20)
        else:
            self.fc2 = nn.Linear(400, 32)
        self.fc3 = nn.Linear(20 if vae else 32, 400)
        self.fc4 = nn.Linear(400, 64 * 7 * 7)
        self.deconv = nn.Sequential(nn.ReLU(), nn.Unflatten(1, (64, 7, 7)), nn.ConvTranspose2d(64, 32, 4, 2, 1), nn.ReLU(), nn.ConvTranspose2d(32, 1, 4, 2, 1))

    def loss(self, x):
        h = F.relu(self.fc1(self.features(x)))
        if self.vae:
            mu, logvar = self.fc21(h), self.fc22(h)
            z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
            kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
        else:
            z, kl = self.fc2(h), 0.0
        logits = self.deconv(self.fc4(F.relu(self.fc3(z))))
        return (F.binary_cross_entropy_with_logits(logits, x, reduction="sum") + kl) / len(x)


out = {}
for name, vae in (("vae", True), ("ae", False)):
    model = Codec(vae)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    losses, seconds = [], []
    for epoch in range(epochs):
        model.train()
        t0 = time.perf_counter()
        for idx in torch.randperm(8000).split(128):
            opt.zero_grad()
            loss = model.loss(train[idx])
            loss.backward()
            opt.step()
        seconds.append(time.perf_counter() - t0)
        model.eval()
        with torch.no_grad():
            losses.append(sum(model.loss(test[i:i + 500]).item() * 500 for i in range(0, 2000, 500)) / 2000)
    out[name], out[name + "_s"] = losses, seconds
print(json.dumps(out))
