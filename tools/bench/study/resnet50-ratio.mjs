// Which of ResNet-50's batch-1 convolutions lose most on 2 threads: the forward's own sequence of fused
// calls (as resnet50-forward-profile.mjs), every call timed inside the forward, forwards alternating
// between 1 and 2 threads in one process (the pool resized, its workers kept); per layer kind the
// medians on each and their ratio, and the forward's rest (JS, pooling, head) beside them.
// node --experimental-wasm-relaxed-simd tools/bench/study/resnet50-ratio.mjs [relaxed|simd128] [rounds]
import * as K from '@deepwasm/kernels';
import * as nn from '@deepwasm/nn';
import { resnet } from '@deepwasm/models';
import os from 'node:os';
import { median } from './kernels-setup.mjs';
import { hookedForward } from './resnet50-hooked-forward.mjs';

const isa = process.argv[2] ?? 'relaxed';
const rounds = Number(process.argv[3] ?? 10);
await nn.ready({ isa });
nn.setNumThreads(2);
await K.threadsStarted(nn.kernels());
nn.manualSeed(0);
const model = resnet(50).eval();
const input = nn.tensor(Float32Array.from({ length: 3 * 224 * 224 }, (_, i) => Math.sin(i * 0.37)), [1, 3, 224, 224]).keep();

/** The forward as the modules run it, with a hook around every fused convolution. */
const forward = (hook) => hookedForward(nn, model, input, hook);

const times = [new Map(), new Map()];
const wholes = [[], []];
for (let r = 0; r < rounds + 1; r++) {
  for (const t of [1, 2]) {
    nn.setNumThreads(t);
    nn.noGrad(() => nn.tidy(() => void model.forward(input)));
    const s0 = performance.now();
    nn.noGrad(() => nn.tidy(() => void forward((name, fn) => {
      const s = performance.now();
      const y = fn();
      if (r > 0) (times[t - 1].get(name) ?? times[t - 1].set(name, []).get(name)).push(performance.now() - s);
      return y;
    })));
    if (r > 0) wholes[t - 1].push(performance.now() - s0);
  }
}
console.log(`ResNet-50 batch 1, ${isa}, ${rounds} alternating rounds, load ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`);
const groups = new Map();
for (const [name, ts] of times[0]) {
  const parts = name.split('.');
  const key = parts.length === 1 ? name : `${parts[0]}.${parts[2]}${parts[1] === '0' ? '.first' : ''}`;
  const g = groups.get(key) ?? [0, 0, 0];
  groups.set(key, [g[0] + 1, g[1] + median(ts), g[2] + median(times[1].get(name))]);
}
let s1 = 0, s2 = 0;
console.log('layers | 1t ms | 2t ms | 1t/2t | 2t - 1t/2');
for (const [key, [n, a, b]] of [...groups].sort((x, y) => (y[1][2] - y[1][1] / 2) - (x[1][2] - x[1][1] / 2))) {
  s1 += a; s2 += b;
  console.log(`${key} x${n} | ${a.toFixed(2)} | ${b.toFixed(2)} | ${(a / b).toFixed(2)} | ${(b - a / 2).toFixed(2)}`);
}
const w1 = median(wholes[0]), w2 = median(wholes[1]);
console.log(`sum of calls: 1t ${s1.toFixed(1)} 2t ${s2.toFixed(1)} (${(s1 / s2).toFixed(2)}x); forward 1t ${w1.toFixed(1)} (${Math.min(...wholes[0]).toFixed(1)}-${Math.max(...wholes[0]).toFixed(1)}) 2t ${w2.toFixed(1)} (${Math.min(...wholes[1]).toFixed(1)}-${Math.max(...wholes[1]).toFixed(1)}) ${(w1 / w2).toFixed(2)}x`);
K.closeThreads(nn.kernels());
