/** The benchmark suites, one line each: `pnpm bench <name>` runs one, `pnpm bench` runs all. */
import type { Row, SuiteOptions } from './report.js';
import { runGemmSuite } from './gemm.js';

export const suites: Record<string, (opts: SuiteOptions) => Promise<Row[]>> = {
  gemm: runGemmSuite,
};
