// The LeNet-5 training step the lenet-* study scripts time: batch 64 of seeded random digits with fixed
// labels, Adam 1e-3, seed 0. nn and lenet5 are passed in, so a script can build it from any checkout.
export function lenetStep(nn, lenet5) {
  nn.manualSeed(0);
  const model = lenet5();
  const opt = new nn.Adam(model.parameters(), { lr: 1e-3 });
  const x = nn.randn([64, 1, 28, 28]).keep();
  const labels = Int32Array.from({ length: 64 }, (_, i) => (i * 7) % 10);
  const step = () =>
    nn.tidy(() => {
      opt.zeroGrad();
      nn.crossEntropy(model.forward(x), labels).backward();
      opt.step();
    });
  return { model, opt, x, labels, step };
}
