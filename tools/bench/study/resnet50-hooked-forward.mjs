// ResNet-50's batch-1 forward in eval mode as the modules run it (the bottleneck blocks' own sequence of
// nn.fusedConvBn calls, the stem's conv1 + bn1 + relu fused then its pool), with `hook(name, fn)` around
// every fused convolution ('stem', 'layer1.0.conv1', ..., '<block>.down', 'head'): hook returns fn's
// result, timing it or not (resnet50-forward-profile.mjs, resnet50-ratio.mjs).
export function hookedForward(nn, model, input, hook) {
  const m = (key) => model.get(key);
  let h = hook('stem', () => m('maxpool').forward(nn.fusedConvBn(m('conv1'), m('bn1'), input, { relu: true })));
  for (const stage of ['layer1', 'layer2', 'layer3', 'layer4']) {
    m(stage).layers.forEach((b, i) => {
      const x = h;
      const name = `${stage}.${i}`;
      let y = hook(`${name}.conv1`, () => nn.fusedConvBn(b.conv1, b.bn1, x, { relu: true }));
      y = hook(`${name}.conv2`, () => nn.fusedConvBn(b.conv2, b.bn2, y, { relu: true }));
      const d = b.downsample;
      const r = d === null ? x : hook(`${name}.down`, () => nn.fusedConvBn(d.get(0), d.get(1), x));
      h = hook(`${name}.conv3`, () => nn.fusedConvBn(b.conv3, b.bn3, y, { residual: r, relu: true }));
    });
  }
  return hook('head', () => m('fc').forward(m('flatten').forward(m('avgpool').forward(h))));
}
