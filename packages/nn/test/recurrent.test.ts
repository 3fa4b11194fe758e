/**
 * Recurrent layers: the seed's worked RNN example, the LSTM and GRU equations step by step, PyTorch
 * outputs and gradients (fixtures from tools/fixtures/recurrent_fixture.py), padded batches against
 * sequences run one by one, and finite-difference checks of every input of the sequence op.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { assertGradCheck, Generator, type Tensor } from '../src/index.js';
import { builds, use } from './setup.js';

interface Fixture {
  name: string; kind: 'LSTM' | 'GRU' | 'RNN'; input: number; hidden: number; layers: number; bidir: boolean; batch_first: boolean;
  T: number; B: number; lengths: number[] | null; nonlinearity?: 'tanh' | 'relu';
  params: Record<string, { shape: number[]; data: number[] }>; grads: Record<string, number[]>;
  x: number[]; h0: number[]; c0: number[] | null; out: number[]; out_shape: number[]; hn: number[]; cn: number[] | null;
  r_out: number[]; r_h: number[]; r_c: number[] | null; dx: number[]; dh0: number[]; dc0: number[] | null;
}
const fixtures = JSON.parse(readFileSync(new URL('./fixtures/torch-recurrent.json', import.meta.url), 'utf8')) as Fixture[];

const sig = (v: number) => 1 / (1 + Math.exp(-v));
const close = (actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string) => {
  expect(actual.length, what).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / Math.max(1, Math.abs(expected[i]!)));
  expect(worst, `${what}: worst relative error`).toBeLessThan(tol);
};

function makeLayer(f: Fixture) {
  const opts = { numLayers: f.layers, bidirectional: f.bidir, batchFirst: f.batch_first };
  if (f.kind === 'LSTM') return new nn.LSTM(f.input, f.hidden, opts);
  if (f.kind === 'GRU') return new nn.GRU(f.input, f.hidden, opts);
  return new nn.RNN(f.input, f.hidden, { ...opts, nonlinearity: f.nonlinearity });
}

/** A padded batch run through `layer` equals each sequence run alone (outputs and final states). */
function paddedMatchesUnpadded(layer: nn.LSTM | nn.GRU | nn.RNN, T: number, lengths: number[], I: number, gen: Generator): void {
  const B = lengths.length;
  const x = nn.randn([T, B, I], { generator: gen });
  const padded = layer.run(x, { lengths });
  const D = layer.directions * layer.numLayers;
  const H = layer.hiddenSize;
  const out = padded.output.toArray();
  const F = out.length / (T * B);
  for (let b = 0; b < B; b++) {
    const len = lengths[b]!;
    const xb = nn.tensor(Array.from({ length: len * I }, (_, i) => x.data[(Math.floor(i / I) * B + b) * I + (i % I)]!), [len, 1, I]);
    const alone = layer.run(xb);
    const ao = alone.output.toArray();
    for (let t = 0; t < T; t++) {
      for (let j = 0; j < F; j++) {
        const got = out[(t * B + b) * F + j]!;
        const want = t < len ? ao[t * F + j]! : 0;
        expect(Math.abs(got - want), `output t=${t} b=${b} j=${j}`).toBeLessThan(1e-5);
      }
    }
    for (const [what, st, sa] of [['h', padded.h, alone.h], ['c', padded.c, alone.c]] as const) {
      if (!st || !sa) continue;
      const s = st.toArray();
      const a = sa.toArray();
      for (let l = 0; l < D; l++) for (let j = 0; j < H; j++) expect(Math.abs(s[(l * B + b) * H + j]! - a[l * H + j]!), `${what}[${l}] b=${b}`).toBeLessThan(1e-5);
    }
  }
}

for (const { isa } of builds) {
  describe(`recurrent layers (${isa})`, () => {
    beforeAll(async () => {
      await use(isa);
    });

    it("reproduces the seed's worked RNN example (section 5.4.3): states 0.537/0.462, 0.860/0.884; outputs 1.561, 2.727", () => {
      nn.tidy(() => {
        // The seed concatenates [h, x] and multiplies by w_rnn = [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]: its first two
        // rows act on the state, the last on the input. PyTorch's layout stores the transposes.
        const rnn = new nn.RNN(1, 2, { numLayers: 1 });
        rnn.loadStateDict({
          weight_ih_l0: nn.tensor([[0.5], [0.6]]),
          weight_hh_l0: nn.tensor([[0.1, 0.3], [0.2, 0.4]]),
          bias_ih_l0: nn.tensor([0.1, -0.1]),
          bias_hh_l0: nn.tensor([0, 0]),
        });
        const head = new nn.Linear(2, 1);
        head.loadStateDict({ weight: nn.tensor([[1.0, 2.0]]), bias: nn.tensor([0.1]) });
        const states = rnn.forward(nn.tensor([1, 2], [2, 1, 1]));
        const s = states.toArray();
        expect(s[0]).toBeCloseTo(Math.tanh(0.6), 6);
        expect(s[1]).toBeCloseTo(Math.tanh(0.5), 6);
        expect([s[0]!.toFixed(3), s[1]!.toFixed(3), s[2]!.toFixed(3), s[3]!.toFixed(3)]).toEqual(['0.537', '0.462', '0.860', '0.884']);
        const outputs = head.forward(states).toArray();
        expect(outputs[0]).toBeCloseTo(1.56128388, 5); // the seed's printed value
        expect(outputs[1]!.toFixed(3)).toBe('2.727');
      });
    });

    it('LSTM follows the gate equations step by step (i, f, g, o; c = f c + i g; h = o tanh c)', () => {
      nn.tidy(() => {
        const I = 2, H = 2;
        const wIh = [[0.5, -0.2], [0.1, 0.3], [-0.4, 0.2], [0.3, 0.1], [0.2, 0.2], [-0.1, 0.4], [0.6, -0.5], [0.05, 0.1]];
        const wHh = [[0.1, 0.2], [-0.3, 0.1], [0.2, 0.2], [0.1, -0.1], [0.3, 0.0], [0.0, 0.3], [-0.2, 0.1], [0.4, 0.2]];
        const bIh = [0.1, 0, -0.1, 0.2, 0.0, 0.1, 0.05, -0.05];
        const bHh = [0, 0.1, 0, 0, 0.2, 0, 0, 0.1];
        const lstm = new nn.LSTM(I, H);
        lstm.loadStateDict({ weight_ih_l0: nn.tensor(wIh), weight_hh_l0: nn.tensor(wHh), bias_ih_l0: nn.tensor(bIh), bias_hh_l0: nn.tensor(bHh) });
        const xs = [[1, -1], [0.5, 2], [-1.5, 0.25]];
        const r = lstm.run(nn.tensor(xs.flat(), [3, 1, I]));
        let h = [0, 0];
        let c = [0, 0];
        const got = r.output.toArray();
        xs.forEach((x, t) => {
          const a = (row: number) => wIh[row]![0]! * x[0]! + wIh[row]![1]! * x[1]! + bIh[row]! + wHh[row]![0]! * h[0]! + wHh[row]![1]! * h[1]! + bHh[row]!;
          const gate = (g: number, j: number) => a(g * H + j);
          const c2 = [0, 1].map((j) => sig(gate(1, j)) * c[j]! + sig(gate(0, j)) * Math.tanh(gate(2, j)));
          h = [0, 1].map((j) => sig(gate(3, j)) * Math.tanh(c2[j]!));
          c = c2;
          expect(got[t * H]).toBeCloseTo(h[0]!, 6);
          expect(got[t * H + 1]).toBeCloseTo(h[1]!, 6);
        });
        close(r.c!.toArray(), c, 1e-6, 'final c');
        close(r.h.toArray(), h, 1e-6, 'final h');
      });
    });

    it("GRU follows PyTorch's equations step by step (r, z, n; n = tanh(W_in x + b_in + r (W_hn h + b_hn)); h = (1 - z) n + z h)", () => {
      nn.tidy(() => {
        const gru = new nn.GRU(1, 1);
        // One unit: weights per gate r, z, n.
        const wi = [0.5, -0.3, 0.8], wh = [0.2, 0.4, -0.6], bi = [0.1, 0.0, -0.2], bh = [0.0, 0.1, 0.3];
        gru.loadStateDict({ weight_ih_l0: nn.tensor(wi.map((v) => [v])), weight_hh_l0: nn.tensor(wh.map((v) => [v])), bias_ih_l0: nn.tensor(bi), bias_hh_l0: nn.tensor(bh) });
        const xs = [1, -2, 0.5];
        const out = gru.forward(nn.tensor(xs, [3, 1, 1])).toArray();
        let h = 0;
        xs.forEach((x, t) => {
          const r = sig(wi[0]! * x + bi[0]! + wh[0]! * h + bh[0]!);
          const z = sig(wi[1]! * x + bi[1]! + wh[1]! * h + bh[1]!);
          const n = Math.tanh(wi[2]! * x + bi[2]! + r * (wh[2]! * h + bh[2]!));
          // The seed writes h = z h~ + (1 - z) h with z weighting the new state; PyTorch's z weights the old one.
          h = (1 - z) * n + z * h;
          expect(out[t]).toBeCloseTo(h, 6);
        });
      });
    });

    for (const f of fixtures) {
      it(`matches PyTorch ${f.kind} (${f.name}): outputs, final states, gradients of every weight, input and initial state`, () => {
        nn.tidy(() => {
          const layer = makeLayer(f);
          layer.loadStateDict(Object.fromEntries(Object.entries(f.params).map(([n, p]) => [n, { shape: p.shape, data: p.data }])));
          const D = f.bidir ? 2 : 1;
          const xShape = f.batch_first ? [f.B, f.T, f.input] : [f.T, f.B, f.input];
          const stateShape = [f.layers * D, f.B, f.hidden];
          const x = nn.tensor(f.x, xShape).requiresGrad_();
          const h0 = nn.tensor(f.h0, stateShape).requiresGrad_();
          const c0 = f.c0 ? nn.tensor(f.c0, stateShape).requiresGrad_() : null;
          const r = layer.run(x, { h0, c0, lengths: f.lengths ?? undefined });
          expect([...r.output.shape]).toEqual(f.out_shape);
          close(r.output.toArray(), f.out, 2e-5, 'output');
          close(r.h.toArray(), f.hn, 2e-5, 'h_n');
          if (f.cn) close(r.c!.toArray(), f.cn, 2e-5, 'c_n');
          let loss = nn.add(nn.sum(nn.mul(r.output, nn.tensor(f.r_out, f.out_shape))), nn.sum(nn.mul(r.h, nn.tensor(f.r_h, stateShape))));
          if (r.c) loss = nn.add(loss, nn.sum(nn.mul(r.c, nn.tensor(f.r_c!, stateShape))));
          loss.backward();
          for (const [name, p] of layer.namedParameters()) close(p.grad!.toArray(), f.grads[name]!, 5e-5, `d${name}`);
          close(x.grad!.toArray(), f.dx, 5e-5, 'dx');
          close(h0.grad!.toArray(), f.dh0, 5e-5, 'dh0');
          if (c0) close(c0.grad!.toArray(), f.dc0!, 5e-5, 'dc0');
          layer.dispose();
        });
      });
    }

    for (const mode of ['lstm', 'gru', 'rnn_tanh', 'rnn_relu'] as const) {
      for (const reverse of [false, true]) {
        for (const masked of [false, true]) {
          it(`finite differences of the ${mode} sequence op (${reverse ? 'reverse' : 'forward'}${masked ? ', masked' : ''}): x, weights, biases, h0${mode === 'lstm' ? ', c0' : ''}`, () => {
            nn.tidy(() => {
              const gen = new Generator(mode.length * 10 + (reverse ? 1 : 0) + (masked ? 2 : 0));
              const T = 4, B = 3, I = 3, H = 5, G = nn.gateCount(mode);
              const r = (shape: number[], s = 0.5) => nn.randn(shape, { generator: gen, std: s });
              // ReLU has a kink at 0: keep its pre-activations away from it by a positive bias.
              const inputs = [r([T, B, I], 1), r([G * H, I]), r([G * H, H]), r([G * H]), r([G * H]), r([B, H])];
              if (mode === 'lstm') inputs.push(r([B, H]));
              const mask = masked ? nn.lengthsToMask([4, 2, 1], T) : null;
              const fn = (x: Tensor, wIh: Tensor, wHh: Tensor, bIh: Tensor, bHh: Tensor, h0: Tensor, c0?: Tensor) =>
                nn.recurrentSequence(mode, x, { weightIh: wIh, weightHh: wHh, biasIh: bIh, biasHh: bHh }, { h0, c0: c0 ?? null, mask, reverse });
              const res = assertGradCheck(fn as (...xs: Tensor[]) => Tensor, inputs, { name: mode, eps: 1e-2, atol: 2e-3, rtol: 2e-2, maxPerInput: 40 });
              expect(res.checked).toBeGreaterThan(100);
            });
          });
        }
      }
    }

    it.each([
      ['LSTM', () => new nn.LSTM(3, 4, { numLayers: 2, bidirectional: true })],
      ['GRU', () => new nn.GRU(3, 4, { bidirectional: true })],
      ['RNN', () => new nn.RNN(3, 4, { numLayers: 2 })],
    ] as const)('%s: a padded batch equals its sequences run one by one (both directions, final states)', (_n, make) => {
      nn.tidy(() => {
        const layer = make();
        paddedMatchesUnpadded(layer, 6, [6, 2, 4, 1], 3, new Generator(5));
        layer.dispose();
      });
    });

    it('batchFirst transposes input and output only; states keep [layers*dirs, B, H]', () => {
      nn.tidy(() => {
        nn.manualSeed(3);
        const a = new nn.GRU(2, 3, { numLayers: 2 });
        nn.manualSeed(3);
        const b = new nn.GRU(2, 3, { numLayers: 2, batchFirst: true });
        const x = nn.randn([5, 4, 2], { generator: new Generator(1) });
        const ra = a.run(x);
        const rb = b.run(nn.permute(x, [1, 0, 2]));
        expect([...rb.output.shape]).toEqual([4, 5, 3]);
        close(nn.permute(rb.output, [1, 0, 2]).toArray(), ra.output.toArray(), 1e-7, 'output');
        close(rb.h.toArray(), ra.h.toArray(), 1e-7, 'h');
        expect([...rb.h.shape]).toEqual([2, 4, 3]);
      });
    });

    it('dropout between layers is active in training only, and seeded', () => {
      nn.tidy(() => {
        const lstm = new nn.LSTM(3, 8, { numLayers: 2, dropout: 0.5, generator: new Generator(2) });
        const x = nn.randn([4, 2, 3], { generator: new Generator(4) });
        lstm.eval();
        const e1 = lstm.forward(x).toArray();
        const e2 = lstm.forward(x).toArray();
        expect(Array.from(e1)).toEqual(Array.from(e2));
        lstm.train();
        const t1 = lstm.forward(x).toArray();
        expect(Array.from(t1)).not.toEqual(Array.from(e1));
      });
    });

    it('cells equal one step of the sequence layers (LSTMCell, GRUCell, RNNCell share the layout)', () => {
      nn.tidy(() => {
        for (const [cell, layer] of [
          [new nn.LSTMCell(3, 4), new nn.LSTM(3, 4)],
          [new nn.GRUCell(3, 4), new nn.GRU(3, 4)],
          [new nn.RNNCell(3, 4, { nonlinearity: 'relu' }), new nn.RNN(3, 4, { nonlinearity: 'relu' })],
        ] as const) {
          const sd = cell.stateDict();
          layer.loadStateDict(Object.fromEntries([...sd].map(([n, t]) => [`${n}_l0`, t])));
          const x = nn.randn([2, 3], { generator: new Generator(8) });
          const h = nn.randn([2, 4], { generator: new Generator(9) });
          const c = nn.randn([2, 4], { generator: new Generator(10) });
          const isLstm = cell instanceof nn.LSTMCell;
          const s = cell.step(x, h, isLstm ? c : null);
          const r = layer.run(nn.reshape(x, [1, 2, 3]), { h0: nn.reshape(h, [1, 2, 4]), c0: isLstm ? nn.reshape(c, [1, 2, 4]) : null });
          close(s.h.toArray(), r.h.toArray(), 1e-7, 'h');
          if (isLstm) close(s.c!.toArray(), r.c!.toArray(), 1e-7, 'c');
        }
      });
    });

    it('shape errors name the layer and both shapes', () => {
      nn.tidy(() => {
        const lstm = new nn.LSTM(3, 4, { numLayers: 2 });
        expect(() => lstm.forward(nn.zeros([5, 2, 7]))).toThrow(/LSTM\(3, 4\): input \[5, 2, 7\] does not match: expected \[T, B, 3\]/);
        expect(() => lstm.run(nn.zeros([5, 2, 3]), { h0: nn.zeros([1, 2, 4]) })).toThrow(/h0 is \[1, 2, 4\], expected \[2, 2, 4\]/);
        expect(() => lstm.run(nn.zeros([5, 2, 3]), { lengths: [5, 6] })).toThrow(/lengths must be integers in \[1, 5\].*got 6/);
        expect(() => new nn.GRU(3, 4).run(nn.zeros([5, 2, 3]), { c0: nn.zeros([1, 2, 4]) })).toThrow(/only an LSTM takes a cell state/);
        expect(() => new nn.RNN(3, 4, { nonlinearity: 'sigmoid' as 'tanh' })).toThrow(/RNN: nonlinearity must be 'tanh' or 'relu', got "sigmoid"/);
        expect(() => new nn.RNNCell(3, 4, { nonlinearity: 'elu' as 'tanh' })).toThrow(/RNNCell: nonlinearity must be/);
      });
    });

    it('Embedding gathers rows, accumulates repeated indices in its gradient, skips paddingIdx, and rejects bad indices', () => {
      nn.tidy(() => {
        const emb = new nn.Embedding(5, 3, { paddingIdx: 0 });
        expect(Array.from(emb.weight.toArray().subarray(0, 3))).toEqual([0, 0, 0]);
        const ids = { indices: [1, 4, 1, 0, 2, 1], shape: [2, 3] };
        const y = emb.call(ids);
        expect([...y.shape]).toEqual([2, 3, 3]);
        const w = emb.weight.toArray();
        expect(Array.from(y.toArray().subarray(3, 6))).toEqual(Array.from(w.subarray(12, 15)));
        nn.sum(nn.mul(y, nn.arange(0, 18).reshape([2, 3, 3]))).backward();
        const g = emb.weight.grad!.toArray();
        // Row 1 appears at positions 0, 2 and 5: its gradient is the sum of those rows of the weights 0..17.
        expect(Array.from(g.subarray(3, 6))).toEqual([0 + 6 + 15, 1 + 7 + 16, 2 + 8 + 17]);
        expect(Array.from(g.subarray(0, 3))).toEqual([0, 0, 0]);
        expect(() => emb.call([1, 5])).toThrow(/index 5 at position 1 is outside the table of 5 rows/);
        const r = assertGradCheck((wt: Tensor) => nn.embedding([3, 1, 3], wt), [nn.randn([4, 2], { generator: new Generator(3) })], { name: 'embedding' });
        expect(r.checked).toBe(8);
      });
    });

    it('sequence losses average over real steps only (lengths, mask, ignoreIndex), with gradients', () => {
      nn.tidy(() => {
        const gen = new Generator(11);
        const logits = nn.randn([3, 2, 4], { generator: gen });
        const targets = [1, 2, 3, 0, 2, 1];
        const full = nn.crossEntropy(nn.reshape(logits, [6, 4]), targets, { reduction: 'none' }).toArray();
        const byLengths = nn.sequenceCrossEntropy(logits, targets, { lengths: [3, 1] }).item();
        // lengths [3, 1]: batch column 0 keeps steps 0..2 (flat 0, 2, 4), column 1 keeps step 0 (flat 1).
        expect(byLengths).toBeCloseTo((full[0]! + full[2]! + full[4]! + full[1]!) / 4, 5);
        const ignored = nn.sequenceCrossEntropy(logits, [1, -100, 3, -100, 2, 1], { ignoreIndex: -100 }).item();
        expect(ignored).toBeCloseTo((full[0]! + full[2]! + full[4]! + full[5]!) / 4, 5);
        const none = nn.sequenceCrossEntropy(logits, targets, { lengths: [3, 1], reduction: 'none' });
        expect([...none.shape]).toEqual([3, 2]);
        expect(none.toArray()[3]).toBe(0);
        const pred = nn.randn([3, 2, 2], { generator: gen });
        const tgt = nn.randn([3, 2, 2], { generator: gen });
        const sq = nn.mseLoss(pred, tgt, 'none').toArray();
        const m = nn.sequenceMseLoss(pred, tgt, { mask: [1, 1, 0, 1, 0, 0] }).item();
        expect(m).toBeCloseTo((sq[0]! + sq[1]! + sq[2]! + sq[3]! + sq[6]! + sq[7]!) / 6, 5);
        const r = assertGradCheck((l: Tensor) => nn.sequenceCrossEntropy(l, targets, { lengths: [2, 3] }), [nn.randn([3, 2, 4], { generator: gen })], { name: 'sequenceCrossEntropy' });
        expect(r.checked).toBe(24);
      });
    });
  });
}
