/**
 * Recurrent layers trained on several threads: a few Adam steps of an LSTM (the loops over time split
 * by batch rows, the bias gradient summed by groups of 4 rows inside the backward loop, the input and
 * weight gradients in one job) give the same parameters and outputs, bit for bit, on 1, 2, 3 and 4
 * threads, with every op split however small. Awkward batches: a row tile remainder (13), fewer rows
 * than threads (2), a single row (the per-step path); bidirectional with padded sequences, stacked.
 */
import { describe, expect, it } from 'vitest';
import { setMinParallelWork } from '@deepwasm/kernels';
import * as nn from '../src/index.js';

interface Case {
  name: string;
  T: number;
  B: number;
  I: number;
  H: number;
  opts: nn.RecurrentOptions;
  lengths?: number[];
}

const CASES: Case[] = [
  { name: 'B 13, H 7', T: 4, B: 13, I: 5, H: 7, opts: {} },
  { name: 'B 2, H 6', T: 3, B: 2, I: 3, H: 6, opts: {} },
  { name: 'B 1', T: 3, B: 1, I: 4, H: 5, opts: {} },
  { name: 'bidirectional, 2 layers, padded, B 9', T: 5, B: 9, I: 3, H: 6, opts: { bidirectional: true, numLayers: 2 }, lengths: [5, 1, 3, 5, 2, 4, 5, 5, 1] },
];

async function trainedBits(c: Case, threads: number): Promise<Uint32Array> {
  await nn.ready({ isa: 'simd128', threads });
  nn.manualSeed(0);
  const lstm = new nn.LSTM(c.I, c.H, c.opts);
  const opt = new nn.Adam(lstm.parameters(), { lr: 1e-2 });
  const x = nn.randn([c.T, c.B, c.I]).keep();
  const dirs = c.opts.bidirectional ? 2 : 1;
  const y = nn.randn([c.T, c.B, dirs * c.H]).keep();
  let last: Float32Array = new Float32Array(0);
  for (let step = 0; step < 3; step++) {
    nn.tidy(() => {
      opt.zeroGrad();
      const out = lstm.run(x, c.lengths ? { lengths: c.lengths } : {});
      nn.add(nn.mseLoss(out.output, y), nn.mean(nn.mul(out.c!, out.c!))).backward();
      last = out.output.toArray();
      opt.step();
    });
  }
  const bits = [...lstm.parameters().map((p) => p.toArray()), last].flatMap((a) => Array.from(new Uint32Array(a.buffer)));
  x.dispose();
  y.dispose();
  return Uint32Array.from(bits);
}

describe('recurrent layers across threads', () => {
  for (const c of CASES) {
    it(`an LSTM (${c.name}) trains to the same bits on 1, 2, 3 and 4 threads`, async () => {
      const was = setMinParallelWork(0);
      try {
        const one = await trainedBits(c, 1);
        for (const t of [2, 3, 4]) {
          const many = await trainedBits(c, t);
          const i = one.findIndex((v, j) => v !== many[j]);
          expect(i, `float ${i} differs at ${t} threads`).toBe(-1);
        }
      } finally {
        setMinParallelWork(was);
        await nn.ready({ isa: 'simd128', threads: 1 });
      }
    });
  }
});
