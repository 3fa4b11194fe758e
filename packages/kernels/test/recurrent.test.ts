/** Fused recurrent cells (LSTM, GRU, Elman RNN) and the row gather/scatter against float64 references. */
import { describe, expect, it } from 'vitest';
import {
  gatherRows, gruCellBackward, gruCellBackwardReference, gruCellForward, gruCellReference, loadKernels, lstmCellBackward,
  lstmCellBackwardReference, lstmCellForward, lstmCellReference, rnnCellBackward, rnnCellBackwardReference, rnnCellForward,
  rnnCellReference, scatterAddRows, type Kernels,
} from '../src/index.js';
import { ISAS, get, mismatches, put, rng, uniform } from './support/arrays.js';

/** Batch x hidden sizes: 1, odd, not multiples of 4, and the benchmark's 32 x 128. */
const DIMS: Array<[number, number]> = [[1, 1], [1, 3], [3, 5], [2, 4], [4, 7], [5, 17], [32, 128]];
const tol = (_i: number, e: number) => 2e-6 * Math.max(1, Math.abs(e));

function expectClose(label: string, actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  expect(mismatches(label, actual, expected, { tol }), label).toBe('');
}

/** The mask of a batch with its second row padded (when there is one). */
function maskFor(B: number, masked: boolean): Float32Array | null {
  return masked ? Float32Array.from({ length: B }, (_, b) => (b === 1 ? 0 : 1)) : null;
}

function withBuffers(k: Kernels, arrays: Record<string, ArrayLike<number>>, body: (p: Record<string, number>) => void): void {
  const ptrs: Record<string, number> = {};
  for (const [name, a] of Object.entries(arrays)) ptrs[name] = put(k, a);
  try {
    body(ptrs);
  } finally {
    for (const p of Object.values(ptrs)) k.arena.free(p);
  }
}

for (const isa of ISAS) {
  describe(`recurrent cells (${isa})`, async () => {
    const k = await loadKernels({ isa });

    it('LSTM gate nonlinearities (assembly/recurrent/gate-math.ts) within 4e-7 of the exact ones over [-30, 30], NaN kept', () => {
      // One row of 4H pre-activations: i, f, g, o each sweep [-30, 30] (through the tanh clamp at ±7.9053
      // and the sigmoid's far tail); c' = 0, so c = i g and h = o tanh(c).
      const H = 6001;
      const xs = Float64Array.from({ length: H }, (_, j) => Math.fround(-30 + (60 * j) / (H - 1)));
      const gates = new Float32Array(4 * H);
      for (let q = 0; q < 4; q++) gates.set(xs, q * H);
      gates[2 * H + 7] = NaN;
      withBuffers(k, { gates, cPrev: new Float32Array(H), hPrev: new Float32Array(H), c: new Float32Array(H), h: new Float32Array(H) }, (p) => {
        lstmCellForward(k, { B: 1, H }, p.gates!, p.cPrev!, p.hPrev!, p.c!, p.h!);
        const acts = get(k, p.gates!, 4 * H);
        const c = get(k, p.c!, H);
        const h = get(k, p.h!, H);
        const sig = (v: number) => 1 / (1 + Math.exp(-v));
        let worst = 0;
        for (let j = 0; j < H; j++) {
          if (j === 7) continue;
          for (const q of [0, 1, 3]) worst = Math.max(worst, Math.abs(acts[q * H + j]! - sig(xs[j]!)));
          worst = Math.max(worst, Math.abs(acts[2 * H + j]! - Math.tanh(xs[j]!)));
          worst = Math.max(worst, Math.abs(h[j]! - acts[3 * H + j]! * Math.tanh(c[j]!)));
        }
        expect(worst).toBeLessThan(4e-7);
        expect(worst).toBeGreaterThan(0);
        expect(Number.isNaN(acts[2 * H + 7]!) && Number.isNaN(c[7]!) && Number.isNaN(h[7]!)).toBe(true);
      });
    });

    for (const masked of [false, true]) {
      it.each(DIMS)(`LSTM step forward and backward, B=%i H=%i${masked ? ', masked row' : ''}`, (B, H) => {
        const r = rng(B * 100 + H);
        const n = B * H;
        const mask = maskFor(B, masked);
        const gates = uniform(r, 4 * n, -4, 4);
        const cPrev = uniform(r, n, -2, 2);
        const hPrev = uniform(r, n, -1, 1);
        const fwd = lstmCellReference(B, H, gates, cPrev, hPrev, mask);
        const dy = uniform(r, n, -1, 1);
        const dh = uniform(r, n, -1, 1);
        const dc = uniform(r, n, -1, 1);
        withBuffers(k, { gates, cPrev, hPrev, c: new Float32Array(n), h: new Float32Array(n), dy, dh, dc, dgates: new Float32Array(4 * n), mask: mask ?? [0] }, (p) => {
          const m = mask ? p.mask! : 0;
          lstmCellForward(k, { B, H }, p.gates!, p.cPrev!, p.hPrev!, p.c!, p.h!, m);
          expectClose('c', get(k, p.c!, n), fwd.c);
          expectClose('h', get(k, p.h!, n), fwd.h);
          const acts = get(k, p.gates!, 4 * n);
          if (!mask) expectClose('activations', acts, fwd.acts);
          const c = get(k, p.c!, n);
          const bwd = lstmCellBackwardReference(B, H, acts, cPrev, c, dy, dh, dc, mask);
          lstmCellBackward(k, { B, H }, p.gates!, p.cPrev!, p.c!, p.dy!, p.dh!, p.dc!, p.dgates!, m);
          expectClose('dgates', get(k, p.dgates!, 4 * n), bwd.dgates);
          expectClose('dc', get(k, p.dc!, n), bwd.dc);
          expectClose('dh', get(k, p.dh!, n), bwd.dh);
        });
      });

      it.each(DIMS)(`LSTM step forward with a bias: the bits of the bias added to the gates first, B=%i H=%i${masked ? ', masked row' : ''}`, (B, H) => {
        const r = rng(B * 200 + H);
        const n = B * H;
        const mask = maskFor(B, masked);
        const gates = uniform(r, 4 * n, -4, 4);
        const bias = uniform(r, 4 * H, -1, 1);
        const added = gates.map((v, i) => Math.fround(v + bias[i % (4 * H)]!));
        const states = { cPrev: uniform(r, n, -2, 2), hPrev: uniform(r, n, -1, 1), c: new Float32Array(n), h: new Float32Array(n), mask: mask ?? [0] };
        const run = (g: Float32Array, b: Float32Array | null) => {
          let out: Uint32Array[] = [];
          withBuffers(k, { ...states, gates: g, bias: b ?? [0] }, (p) => {
            lstmCellForward(k, { B, H }, p.gates!, p.cPrev!, p.hPrev!, p.c!, p.h!, mask ? p.mask! : 0, b ? p.bias! : 0);
            out = [p.gates!, p.c!, p.h!].map((q, i) => new Uint32Array(get(k, q, i === 0 ? 4 * n : n).buffer));
          });
          return out;
        };
        const want = run(added, null);
        const got = run(gates, bias);
        // A masked row's gates are left as they came (never read again): compare the activations of the others.
        const live = (o: number, j: number) => o > 0 || !mask || mask[Math.floor(j / (4 * H))] === 1;
        want.forEach((w, o) => expect(w.findIndex((v, j) => live(o, j) && v !== got[o]![j]), `output ${o}`).toBe(-1));
      });

      it.each(DIMS)(`GRU step forward and backward, B=%i H=%i${masked ? ', masked row' : ''}`, (B, H) => {
        const r = rng(B * 300 + H);
        const n = B * H;
        const mask = maskFor(B, masked);
        const gx = uniform(r, 3 * n, -3, 3);
        const gh = uniform(r, 3 * n, -3, 3);
        const hPrev = uniform(r, n, -1, 1);
        const fwd = gruCellReference(B, H, gx, gh, hPrev, mask);
        const dy = uniform(r, n, -1, 1);
        const dh = uniform(r, n, -1, 1);
        withBuffers(k, { gx, gh, hPrev, h: new Float32Array(n), dy, dh, dgx: new Float32Array(3 * n), dgh: new Float32Array(3 * n), mask: mask ?? [0] }, (p) => {
          const m = mask ? p.mask! : 0;
          gruCellForward(k, { B, H }, p.gx!, p.gh!, p.hPrev!, p.h!, m);
          expectClose('h', get(k, p.h!, n), fwd.h);
          const acts = get(k, p.gx!, 3 * n);
          if (!mask) expectClose('activations', acts, fwd.acts);
          const bwd = gruCellBackwardReference(B, H, acts, gh, hPrev, dy, dh, mask);
          gruCellBackward(k, { B, H }, p.gx!, p.gh!, p.hPrev!, p.dy!, p.dh!, p.dgx!, p.dgh!, m);
          expectClose('dgx', get(k, p.dgx!, 3 * n), bwd.dgx);
          expectClose('dgh', get(k, p.dgh!, 3 * n), bwd.dgh);
          expectClose('dh', get(k, p.dh!, n), bwd.dh);
        });
      });

      for (const nl of ['tanh', 'relu'] as const) {
        it.each(DIMS)(`RNN (${nl}) step forward and backward, B=%i H=%i${masked ? ', masked row' : ''}`, (B, H) => {
          const r = rng(B * 500 + H);
          const n = B * H;
          const mask = maskFor(B, masked);
          const pre = uniform(r, n, -3, 3);
          const hPrev = uniform(r, n, -1, 1);
          const fwd = rnnCellReference(B, H, pre, hPrev, nl === 'relu', mask);
          const dh = uniform(r, n, -1, 1);
          withBuffers(k, { pre, hPrev, h: new Float32Array(n), dh, dpre: new Float32Array(n), mask: mask ?? [0] }, (p) => {
            const m = mask ? p.mask! : 0;
            rnnCellForward(k, { B, H }, p.pre!, p.hPrev!, p.h!, nl, m);
            expectClose('h', get(k, p.h!, n), fwd.h);
            const h = get(k, p.h!, n);
            // No dy this time: the 0 pointer means "no output gradient".
            const bwd = rnnCellBackwardReference(B, H, h, null, dh, nl === 'relu', mask);
            rnnCellBackward(k, { B, H }, p.h!, 0, p.dh!, p.dpre!, nl, m);
            expectClose('dpre', get(k, p.dpre!, n), bwd.dpre);
            expectClose('dh', get(k, p.dh!, n), bwd.dh);
          });
        });
      }
    }

    it('a masked row carries its state and passes its gradients through untouched', () => {
      const B = 2, H = 5, n = B * H;
      const r = rng(9);
      const cPrev = uniform(r, n, -1, 1);
      const hPrev = uniform(r, n, -1, 1);
      withBuffers(k, { gates: uniform(r, 4 * n, -1, 1), cPrev, hPrev, c: new Float32Array(n), h: new Float32Array(n), mask: [1, 0] }, (p) => {
        lstmCellForward(k, { B, H }, p.gates!, p.cPrev!, p.hPrev!, p.c!, p.h!, p.mask!);
        expect(Array.from(get(k, p.c!, n).subarray(H))).toEqual(Array.from(cPrev.subarray(H)));
        expect(Array.from(get(k, p.h!, n).subarray(H))).toEqual(Array.from(hPrev.subarray(H)));
        expect(Array.from(get(k, p.h!, n).subarray(0, H))).not.toEqual(Array.from(hPrev.subarray(0, H)));
      });
    });

    it.each([[1, 1], [5, 3], [40, 17], [300, 64]])('gather and scatter-add rows, %i indices of dim %i', (n, dim) => {
      const rows = 11;
      const r = rng(n + dim);
      const table = uniform(r, rows * dim, -1, 1);
      const idx = Int32Array.from({ length: n }, () => Math.floor(r() * rows));
      const dout = uniform(r, n * dim, -1, 1);
      const pIdx = k.arena.alloc(n * 4);
      k.arena.i32(pIdx, n).set(idx);
      withBuffers(k, { table, out: new Float32Array(n * dim), dout, dtable: new Float32Array(rows * dim) }, (p) => {
        gatherRows(k, p.out!, p.table!, rows, dim, pIdx, n);
        const want = new Float64Array(n * dim);
        const dwant = new Float64Array(rows * dim);
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < dim; j++) {
            want[i * dim + j] = table[idx[i]! * dim + j]!;
            dwant[idx[i]! * dim + j]! += dout[i * dim + j]!;
          }
        }
        expectClose('gather', get(k, p.out!, n * dim), want);
        scatterAddRows(k, p.dtable!, rows, dim, p.dout!, pIdx, n);
        expectClose('scatter-add', get(k, p.dtable!, rows * dim), dwant);
        k.arena.i32(pIdx, n)[0] = rows;
        expect(() => gatherRows(k, p.out!, p.table!, rows, dim, pIdx, n)).toThrow(/index 11 at position 0 is outside \[0, 11\)/);
      });
      k.arena.free(pIdx);
    });
  });
}
