// Where one ResNet-18 training step of `bench cnn` goes (batch 16 x 3 x 64 x 64, 200 classes, Adam
// 1e-3, cross-entropy): every kernel call on the calling thread and every parallel job is timed and
// summed by kernel over the recorded steps, heaviest first, with the JavaScript between calls as one
// line. A job is named by its tasks' kernel and counted whole (the caller's share and its wait).
//   node tools/bench/study/resnet18-step-profile.mjs [--threads 2] [--isa simd128|relaxed] [--steps 20] [--warmup 5] [--top 30]
import { closeThreads } from '@deepwasm/kernels';
import * as nn from '@deepwasm/nn';
import { resnet } from '@deepwasm/models';
import { arg, profiledKernels, timeByKernel } from './step-profile-setup.mjs';

const threads = Number(arg('threads', '1'));
const isa = arg('isa', 'simd128');
const steps = Number(arg('steps', '20'));
const warmup = Number(arg('warmup', '5'));
const top = Number(arg('top', '30'));
const { k, record } = await profiledKernels({ isa, threads });

nn.manualSeed(0);
const model = resnet(18, { numClasses: 200 });
const opt = new nn.Adam(model.parameters(), { lr: 1e-3 });
const x = nn.randn([16, 3, 64, 64]).keep();
const labels = Int32Array.from({ length: 16 }, (_, i) => (i * 7) % 10);
const step = () =>
  nn.tidy(() => {
    opt.zeroGrad();
    nn.crossEntropy(model.forward(x), labels).backward();
    opt.step();
  });
for (let i = 0; i < warmup; i++) step();

// A job is named by its tasks' kernel, whatever its task count.
const { rows: byKernel, stepMs, js } = timeByKernel(record, step, steps, (site, kind) => (kind === 'job' ? `[job] ${site.replace(/ x\d+$/, '')}` : site));
const med = [...stepMs].sort((a, b) => a - b)[stepMs.length >> 1];
const total = stepMs.reduce((a, b) => a + b, 0);
console.log(`ResNet-18 train step (16 x 3 x 64 x 64), ${isa}, ${threads} thread(s): median ${med.toFixed(1)} ms (${((16 * 1000) / med).toFixed(1)} images/s) over ${steps} steps`);
const rows = [...byKernel].sort((a, b) => b[1].run - a[1].run);
const pct = (v) => ((100 * v) / total).toFixed(1).padStart(5);
for (const [name, { run: ms, n }] of rows.slice(0, top)) {
  console.log(`${name.padEnd(58)} ${(ms / steps).toFixed(2).padStart(8)} ms/step ${pct(ms)}%  ${(n / steps).toFixed(0).padStart(4)} calls/step`);
}
const rest = rows.slice(top).reduce((a, [, e]) => a + e.run, 0);
console.log(`${'(other kernels)'.padEnd(58)} ${(rest / steps).toFixed(2).padStart(8)} ms/step ${pct(rest)}%`);
console.log(`${'(JavaScript between calls)'.padEnd(58)} ${(js / steps).toFixed(2).padStart(8)} ms/step ${pct(js)}%`);
closeThreads(k);
