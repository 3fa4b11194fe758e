/** The benchmark suites, one line each: `pnpm bench <name>` runs one, `pnpm bench` runs all. */
import type { Row, SuiteOptions } from './report.js';
import { runGemmSuite } from './gemm.js';
import { runMlpSuite } from './mlp.js';
import { runCnnSuite } from './cnn.js';
import { runRnnSuite } from './rnn.js';
import { runMemorySuite } from './memory.js';
import { runRbmSuite } from './rbm.js';

export const suites: Record<string, (opts: SuiteOptions) => Promise<Row[]>> = {
  gemm: runGemmSuite,
  mlp: runMlpSuite,
  cnn: runCnnSuite,
  rnn: runRnnSuite,
  memory: runMemorySuite,
  rbm: runRbmSuite,
  graph: (opts) => import('./graph.js').then((m) => m.runGraphSuite(opts)),
  convt: (opts) => import('./convt.js').then((m) => m.runConvtSuite(opts)),
  generative: (opts) => import('./generative.js').then((m) => m.runGenerativeSuite(opts)),
  scaling: (opts) => import('./scaling.js').then((m) => m.runScalingSuite(opts)),
};
