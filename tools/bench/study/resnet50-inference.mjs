// bench cnn's inference rows for ResNet-50 alone (quick: 3 rounds of 0.3 s; --full: 5 rounds of 1 s, as
// `bench cnn`), against ONNX Runtime Web at 1 and 2 threads:
// node tools/bench/study/resnet50-inference.mjs [--full] (build tools/bench first).
import '../dist/relaxed-simd.js';
import os from 'node:os';
import { inferenceRows } from '../dist/cnn-inference.js';

const rows = await inferenceRows({ quick: !process.argv.includes('--full'), log: (s) => console.log(s) }, ['ResNet-50']);
for (const r of rows) {
  console.log(`${r.ours}: ${r.medianMs.toFixed(1)} ms, ${r.peer} ${r.peerMedianMs.toFixed(1)} ms, ${r.ratio.toFixed(2)}x (${r.ratioRange[0].toFixed(2)}-${r.ratioRange[1].toFixed(2)})`);
}
console.log(`load ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`);
