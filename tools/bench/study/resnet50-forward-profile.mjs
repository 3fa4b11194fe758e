// Where ResNet-50's batch-1 forward spends its time: every fused convolution timed inside the whole
// forward (the bottleneck blocks' own sequence of nn.fusedConvBn calls, each call timed), beside the
// same call timed alone (warm caches) and alone after 48 MB of other reads (cold caches, as inside
// the forward, where ~100 MB of prepared weights pass once per image).
// node tools/bench/study/resnet50-forward-profile.mjs [relaxed|simd128] [threads] [rounds]
import * as K from '@deepwasm/kernels';
import * as nn from '@deepwasm/nn';
import { resnet } from '@deepwasm/models';
import os from 'node:os';
import { median } from './kernels-setup.mjs';
import { hookedForward } from './resnet50-hooked-forward.mjs';

const isa = process.argv[2] ?? 'relaxed';
const threads = Number(process.argv[3] ?? 2);
const rounds = Number(process.argv[4] ?? 15);
await nn.ready({ isa });
nn.setNumThreads(threads);
await K.threadsStarted(nn.kernels());

nn.manualSeed(0);
const model = resnet(50).eval();
const input = nn.tensor(Float32Array.from({ length: 3 * 224 * 224 }, (_, i) => Math.sin(i * 0.37)), [1, 3, 224, 224]).keep();
const evict = new Float64Array(6 << 20);
let sink = 0;
const coldCaches = () => {
  for (let i = 0; i < evict.length; i += 8) sink += evict[i];
};

/** The forward as the modules run it, with a hook around every fused convolution. */
const forward = (hook) => hookedForward(nn, model, input, hook);

const inside = new Map();
const wholes = [];
const plain = [];
for (let r = 0; r < rounds + 1; r++) {
  nn.noGrad(() => nn.tidy(() => void model.forward(input)));
  let t0 = performance.now();
  nn.noGrad(() => nn.tidy(() => void model.forward(input)));
  if (r > 0) plain.push(performance.now() - t0);
  t0 = performance.now();
  nn.noGrad(() => nn.tidy(() => void forward((name, fn) => {
    const s = performance.now();
    const y = fn();
    if (r > 0) (inside.get(name) ?? inside.set(name, []).get(name)).push(performance.now() - s);
    return y;
  })));
  if (r > 0) wholes.push(performance.now() - t0);
}

// Each convolution alone, warm (the same call repeated) and cold (after reading 48 MB).
const alone = new Map();
const cold = new Map();
nn.noGrad(() => nn.tidy(() => void forward((name, fn) => {
  const y = fn();
  const warm = [];
  const c = [];
  for (let i = 0; i < 7; i++) {
    nn.tidy(() => {
      let s = performance.now();
      fn();
      warm.push(performance.now() - s);
      coldCaches();
      s = performance.now();
      fn();
      c.push(performance.now() - s);
    });
  }
  alone.set(name, median(warm));
  cold.set(name, median(c));
  return y;
})));

console.log(`ResNet-50 batch 1, ${isa} ${threads}t, ${rounds} rounds, load ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`);
console.log('conv | in forward | alone warm | alone cold');
let sIn = 0;
let sWarm = 0;
let sCold = 0;
const groups = new Map();
for (const [name, ts] of inside) {
  const mi = median(ts);
  sIn += mi;
  sWarm += alone.get(name);
  sCold += cold.get(name);
  const parts = name.split('.');
  const key = parts.length === 1 ? name : `${parts[0]}.${parts[2]}${parts[1] === '0' ? '.first' : ''}`;
  const g = groups.get(key) ?? [0, 0, 0, 0];
  groups.set(key, [g[0] + 1, g[1] + mi, g[2] + alone.get(name), g[3] + cold.get(name)]);
}
for (const [key, [n, a, b, c]] of groups) console.log(`${key} x${n} | ${a.toFixed(2)} | ${b.toFixed(2)} | ${c.toFixed(2)}`);
console.log(`sum of the timed calls: in forward ${sIn.toFixed(1)} ms, alone warm ${sWarm.toFixed(1)}, alone cold ${sCold.toFixed(1)}`);
console.log(`hooked forward ${median(wholes).toFixed(1)} ms (${Math.min(...wholes).toFixed(1)}-${Math.max(...wholes).toFixed(1)}); model.forward ${median(plain).toFixed(1)} ms (${Math.min(...plain).toFixed(1)}-${Math.max(...plain).toFixed(1)}) ${sink > 0 ? '' : ' '}`);
K.closeThreads(nn.kernels());
