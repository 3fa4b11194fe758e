/**
 * Recurrent layers: one recurrentSequence call (one layer, one direction) becomes one ONNX LSTM,
 * GRU or RNN node. ONNX orders the gate blocks differently from PyTorch, so the weights are
 * re-ordered here, block by block of hidden-size rows:
 *   LSTM  PyTorch i, f, g, o   ->  ONNX i, o, f, c   (c is PyTorch's g)
 *   GRU   PyTorch r, z, n      ->  ONNX z, r, h      (h is PyTorch's n), with linear_before_reset = 1:
 *         PyTorch applies the reset gate after the hidden product, r * (W_hn h + b_hn)
 *   RNN   one block; activations Tanh or Relu
 * W = [1, G*H, I], R = [1, G*H, H], B = [1, 2*G*H] (input biases, then hidden biases).
 */
import type { ExportContext } from './context.js';
import { isRef, type ValueRef } from './trace.js';
import type { Converter } from './converters.js';

type Mode = 'lstm' | 'gru' | 'rnn_tanh' | 'rnn_relu';
const ORDER: Record<Mode, number[]> = { lstm: [0, 3, 1, 2], gru: [1, 0, 2], rnn_tanh: [0], rnn_relu: [0] };
const OP: Record<Mode, string> = { lstm: 'LSTM', gru: 'GRU', rnn_tanh: 'RNN', rnn_relu: 'RNN' };

interface Weights { weightIh: ValueRef; weightHh: ValueRef; biasIh?: ValueRef | null; biasHh?: ValueRef | null }
interface SequenceOpts { h0?: ValueRef | null; c0?: ValueRef | null; mask?: ValueRef | null; reverse?: boolean }

/** The ONNX outputs of each converted recurrentSequence, by the id of its packed result. */
const outputs = new WeakMap<ExportContext, Map<number, { y: string; yh: string; yc: string | null }>>();

function values(ctx: ExportContext, ref: ValueRef, what: string): Float32Array {
  if (ref.kind === 'param') return ref.tensor.toArray();
  if (ref.kind === 'const') return ref.data;
  return ctx.fail(`${what} is computed in the forward pass; ONNX's recurrent ops need it as a stored weight`);
}

/** Rows regrouped in `order`, block by block of H rows of `width` values. */
function reorder(data: Float32Array, H: number, width: number, order: number[]): Float32Array {
  const outData = new Float32Array(data.length);
  order.forEach((from, to) => outData.set(data.subarray(from * H * width, (from + 1) * H * width), to * H * width));
  return outData;
}

const recurrentSequence: Converter = (ctx) => {
  const [mode, x, w, opts = {}] = ctx.rec.args as [Mode, ValueRef, Weights, SequenceOpts?];
  const packed = ctx.rec.result as ValueRef;
  if (opts.mask) ctx.fail('a padding mask (lengths or mask) cannot be exported: run the layer without one (ONNX\'s sequence_lens is not mapped)');
  const order = ORDER[mode];
  const G = order.length;
  const [GH, I] = w.weightIh.shape as [number, number];
  const H = GH / G;
  const scope = ctx.rec.scope === '' ? '' : `${ctx.rec.scope}.`;
  const pname = (ref: ValueRef, fallback: string) => (ref.kind === 'param' ? ref.name : `${scope}${fallback}`);
  const W = ctx.graph.floatInitializer(`${pname(w.weightIh, 'weight_ih')}.onnx`, [1, GH, I], reorder(values(ctx, w.weightIh, 'weight_ih'), H, I, order));
  const R = ctx.graph.floatInitializer(`${pname(w.weightHh, 'weight_hh')}.onnx`, [1, GH, H], reorder(values(ctx, w.weightHh, 'weight_hh'), H, H, order));
  const inputs = [ctx.name(x), W, R];
  if (w.biasIh || w.biasHh) {
    const b = new Float32Array(2 * GH);
    if (w.biasIh) b.set(reorder(values(ctx, w.biasIh, 'bias_ih'), H, 1, order), 0);
    if (w.biasHh) b.set(reorder(values(ctx, w.biasHh, 'bias_hh'), H, 1, order), GH);
    inputs.push(ctx.graph.floatInitializer(`${pname(w.biasIh ?? w.biasHh!, 'bias')}.onnx`, [1, 2 * GH], b));
  } else inputs.push('');
  inputs.push(''); // sequence_lens
  const state = (s: ValueRef | null | undefined) => (s ? ctx.node('Unsqueeze', [ctx.name(s), ctx.ints([0])])[0]! : '');
  inputs.push(state(opts.h0));
  if (mode === 'lstm') inputs.push(state(opts.c0));
  while (inputs[inputs.length - 1] === '') inputs.pop();
  const attrs = {
    hidden_size: H,
    direction: opts.reverse ? 'reverse' : 'forward',
    linear_before_reset: mode === 'gru' ? 1 : undefined,
    activations: mode === 'rnn_tanh' ? ['Tanh'] : mode === 'rnn_relu' ? ['Relu'] : undefined,
  };
  const [y, yh, yc] = ctx.node(OP[mode], inputs, attrs, mode === 'lstm' ? 3 : 2);
  let table = outputs.get(ctx);
  if (!table) outputs.set(ctx, (table = new Map()));
  table.set(packed.id, { y: y!, yh: yh!, yc: yc ?? null });
  // The packed [T + S, B, H] tensor itself, only if something reads it whole.
  ctx.bindLazy(packed, () => {
    const [seq] = ctx.node('Squeeze', [y!, ctx.ints([1])]);
    return ctx.node('Concat', [seq!, yh!, ...(yc ? [yc] : [])], { axis: 0 })[0]!;
  });
};

/** The packed result cut into outputs [T, B, H], final h [B, H] and final c: ONNX's Y, Y_h, Y_c without the direction axis. */
const splitRecurrentOutput: Converter = (ctx) => {
  const packed = ctx.rec.args[1] as ValueRef;
  const r = ctx.rec.result as { output: ValueRef; h: ValueRef; c: ValueRef | null };
  const found = outputs.get(ctx)?.get(packed.id);
  if (!found) return ctx.fail('its input was not made by recurrentSequence');
  ctx.emit(r.output, 'Squeeze', [found.y, ctx.ints([1])]);
  ctx.emit(r.h, 'Squeeze', [found.yh, ctx.ints([0])]);
  if (isRef(r.c) && found.yc) ctx.emit(r.c, 'Squeeze', [found.yc, ctx.ints([0])]);
};

export const RECURRENT_CONVERTERS: Record<string, Converter> = { recurrentSequence, splitRecurrentOutput };
