// spmm Â·X on a Planetoid graph (bench graph's case) on 1 and on 2 threads of one build, alternating
// rounds in one process: median µs per call of each, per round, and the pool's job count per call.
//   node tools/bench/study/spmm-threads.mjs [simd128|relaxed] [cora|citeseer] [F] [rounds]
import { loadKernels, setThreads, threadsStarted, spmmCsr, poolOf, closeThreads } from '@deepwasm/kernels';
import * as nn from '@deepwasm/nn';
import { loadPlanetoid } from '@deepwasm/data';
import { median } from './kernels-setup.mjs';

const [isa = 'simd128', name = 'cora', fArg = '16', roundsArg = '5'] = process.argv.slice(2);
const f = Number(fArg);
const k = await loadKernels({ isa });
setThreads(k, 2);
await threadsStarted(k);
nn.useKernels(k);
const data = loadPlanetoid(name);
const g = data.graph.withSelfLoops();
const { csr } = g.kernelIndices(k);
const w = g.gcnWeights();
const x = nn.randn([g.numNodes, f]);
const out = nn.zeros([g.numNodes, f]);
const pool = poolOf(k);
let jobs = 0;
const run = pool.run.bind(pool);
pool.run = (...a) => (jobs++, run(...a));
const call = () => spmmCsr(k, csr, out.ptr, x.ptr, w.ptr, 1, f);
console.log(`${isa} ${name} F ${f}: nnz ${csr.nnz}, rows ${csr.rows}, work ${(csr.nnz + csr.rows) * f}`);
for (let r = 0; r < Number(roundsArg); r++) {
  const res = {};
  for (const t of r % 2 ? [2, 1] : [1, 2]) {
    setThreads(k, t);
    for (let i = 0; i < 50; i++) call();
    jobs = 0;
    const s = [];
    for (let i = 0; i < 400; i++) {
      const t0 = performance.now();
      call();
      s.push(performance.now() - t0);
    }
    res[t] = `${(median(s) * 1000).toFixed(1)} µs (${(jobs / 400).toFixed(2)} jobs/call)`;
  }
  console.log(`round ${r + 1}: 1t ${res[1]}, 2t ${res[2]}`);
}
closeThreads(k);
