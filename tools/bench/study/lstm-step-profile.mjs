// Where one LSTM(64, 128) training step (batch 32 x 50 steps, MSE, Adam: the step of bench rnn) spends
// its time: every kernel call made on the calling thread and every parallel job is timed, and the
// step splits into kernel time on the calling thread, parallel jobs (the caller's share plus its wait
// for the workers) and the JavaScript between them (autograd, tensors, dispatch). Rows sum the calls
// of one kernel (or one kind of job) over the step, with the caller's time inside a job's kernels and
// its mean count of tasks a job; the timing wrappers add about 1 µs a call.
//   node tools/bench/study/lstm-step-profile.mjs [--threads 2] [--isa simd128|relaxed] [--steps 40]
import { closeThreads } from '@deepwasm/kernels';
import * as nn from '@deepwasm/nn';
import { arg, profiledKernels, timeByKernel } from './step-profile-setup.mjs';

const threads = Number(arg('threads', '1'));
const isa = arg('isa', 'simd128');
const steps = Number(arg('steps', '40'));
const wrap = !process.argv.includes('--no-wrap');
const { k, record } = await profiledKernels({ isa, threads, wrap });

nn.manualSeed(0);
const layer = new nn.LSTM(64, 128);
const opt = new nn.Adam(layer.parameters(), { lr: 1e-3 });
const x = nn.randn([50, 32, 64]).keep();
const y = nn.randn([50, 32, 128]).keep();
const step = () =>
  nn.tidy(() => {
    opt.zeroGrad();
    nn.mseLoss(layer.forward(x), y).backward();
    opt.step();
  });
for (let i = 0; i < 5; i++) step();

const { rows, stepMs, js } = timeByKernel(record, step, steps);
const med = [...stepMs].sort((a, b) => a - b)[Math.floor(stepMs.length / 2)];
const us = (v) => ((v / steps) * 1000).toFixed(0).padStart(7);
console.log(`LSTM(64, 128) step, B 32 x T 50, ${isa}, ${threads} thread(s): median ${med.toFixed(2)} ms over ${steps} steps${wrap ? ' (wrapped)' : ''}`);
console.log(`${'kernel or job'.padEnd(44)} ${'calls'.padStart(6)} ${'µs/step'.padStart(7)} ${'caller'.padStart(7)} ${'caller\'s tasks'.padStart(14)}`);
let direct = 0;
let jobs = 0;
for (const [name, r] of [...rows].sort((a, b) => b[1].run - a[1].run)) {
  if (r.kind === 'job') jobs += r.run;
  else direct += r.run;
  console.log(`${name.padEnd(44)} ${String(r.n / steps).padStart(6)} ${us(r.run)} ${r.kind === 'job' ? `${us(r.share)} ${(r.calls / r.n).toFixed(2).padStart(14)}` : ''}`);
}
console.log(`per step: JS between calls ${us(js)} µs, kernels on the caller ${us(direct)} µs, jobs ${us(jobs)} µs`);
closeThreads(k);
