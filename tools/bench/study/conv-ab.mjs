// A/B of bench scaling's convolution passes: this checkout's kernels beside another build's (a copy of
// an older packages/kernels with its dist/ and wasm/), in one process, each on 1 and on 2 threads,
// the four runs of a round in an order that flips every round. Prints per pass the medians (ms) and
// the 2t/1t speed-up of each build, and new over old on 2 threads.
// node --experimental-wasm-relaxed-simd tools/bench/study/conv-ab.mjs <old kernels dir> [relaxed|simd128] [rounds] [roundMs] [case filter]
import * as New from '@deepwasm/kernels';
import { buildKernels, median } from './kernels-setup.mjs';

const [oldDir, isa = 'relaxed', roundsArg = '5', roundMsArg = '100', filter = ''] = process.argv.slice(2);
const Old = await import(`${oldDir}/dist/index.js`);
const CONVS = [
  { name: 'LeNet conv1', N: 64, C: 1, H: 28, OC: 6, K: 5, pad: 2 },
  { name: 'LeNet conv2', N: 64, C: 6, H: 14, OC: 16, K: 5, pad: 0 },
  { name: 'ResNet 3x3', N: 1, C: 64, H: 56, OC: 64, K: 3, pad: 1 },
  { name: 'VGG conv1', N: 1, C: 3, H: 224, OC: 64, K: 3, pad: 1 },
];

async function setup(K) {
  const { k, put } = await buildKernels(K, isa);
  const passes = [];
  for (const c of CONVS.filter((c) => c.name.includes(filter))) {
    const g = { N: c.N, C: c.C, H: c.H, W: c.H, OC: c.OC, KH: c.K, KW: c.K, strideH: 1, strideW: 1, padH: c.pad, padW: c.pad, dilationH: 1, dilationW: 1, groups: 1 };
    const O = K.convOutputSize(c.H, c.K, 1, c.pad);
    const [x, w, b, y] = [put(c.N * c.C * c.H * c.H), put(c.OC * c.C * c.K * c.K), put(c.OC), put(c.N * c.OC * O * O)];
    const [dx, dw, db] = [put(c.N * c.C * c.H * c.H), put(c.OC * c.C * c.K * c.K), put(c.OC)];
    passes.push([`${c.name} fwd`, () => K.conv2dForward(k, g, x, w, b, y)]);
    passes.push([`${c.name} bwd`, () => K.conv2dBackward(k, g, x, w, y, dx, dw, db)]);
  }
  return { K, k, passes };
}

function time(run, ms) {
  run();
  const t0 = performance.now();
  let n = 0;
  while (n < 2 || performance.now() - t0 < ms) {
    run();
    n++;
  }
  return (performance.now() - t0) / n;
}

const builds = { old: await setup(Old), new: await setup(New) };
const roundMs = Number(roundMsArg);
for (let i = 0; i < builds.new.passes.length; i++) {
  const name = builds.new.passes[i][0];
  const ms = { old1: [], old2: [], new1: [], new2: [] };
  const runs = [['old', 1], ['new', 1], ['old', 2], ['new', 2]];
  for (let r = 0; r < Number(roundsArg); r++) {
    for (const [b, t] of r % 2 === 0 ? runs : [...runs].reverse()) {
      const { K, k, passes } = builds[b];
      K.setThreads(k, t);
      ms[`${b}${t}`].push(time(passes[i][1], roundMs));
    }
  }
  const m = (a) => median(a);
  const sp = (b) => ms[`${b}1`].map((v, j) => v / ms[`${b}2`][j]);
  const f = (a) => `${m(a).toFixed(2)}x (${Math.min(...a).toFixed(2)}-${Math.max(...a).toFixed(2)})`;
  const gain = ms.old2.map((v, j) => v / ms.new2[j]);
  console.log(`${isa} ${name}: old 1t ${m(ms.old1).toFixed(3)} 2t ${m(ms.old2).toFixed(3)} ms ${f(sp('old'))}; new 1t ${m(ms.new1).toFixed(3)} 2t ${m(ms.new2).toFixed(3)} ms ${f(sp('new'))}; new/old 2t ${f(gain)}`);
}
for (const { K, k } of Object.values(builds)) K.closeThreads(k);
