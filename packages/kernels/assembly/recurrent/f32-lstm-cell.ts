// LSTM cell, one time step for a batch, PyTorch's gate order (i, f, g, o). The GEMMs run outside;
// this is the fused pass over the pre-activations that the input and recurrent GEMMs produced:
//   i = σ(a_i), f = σ(a_f), g = tanh(a_g), o = σ(a_o); c = f c' + i g; h = o tanh(c).
// Rows whose mask is 0 (padding past a sequence's end) carry (h', c') through unchanged.
import { gateSigmoid, gateTanh } from './gate-math';
import { madd } from '../common/madd';
import { ld, st, rowMask, copyRow } from './lanes4';

/** Gate pre-activations at p plus the bias at b (0: none). */
// @ts-ignore: decorator
@inline
function pre(p: usize, b: usize, r: usize): v128 {
  const v = ld(p, r);
  return b == 0 ? v : f32x4.add(v, ld(b, r));
}

/**
 * gates [B, 4H]: pre-activations in, activations out (kept for the backward pass).
 * cPrev, hPrev [B, H] in; c, h [B, H] out. mask: f32 [B] of 0/1, or 0 for none. bias: f32 [4H]
 * added to every row's pre-activations (b_ih + b_hh; 0 for none, when the gates already hold it).
 */
export function f32_lstm_cell_forward(gates: usize, cPrev: usize, hPrev: usize, c: usize, h: usize, mask: usize, B: i32, H: i32, bias: usize): void {
  const rowH = <usize>H << 2;
  const rowG = rowH << 2;
  for (let b = 0; b < B; b++) {
    const gRow = gates + <usize>b * rowG;
    const off = <usize>b * rowH;
    if (rowMask(mask, b) == 0) {
      copyRow(c + off, cPrev + off, H);
      copyRow(h + off, hPrev + off, H);
      continue;
    }
    for (let j = 0; j < H; j += 4) {
      const r = <usize>min(4, H - j);
      const o4 = <usize>j << 2;
      const b4 = bias == 0 ? <usize>0 : bias + o4;
      const i = gateSigmoid(pre(gRow + o4, b4, r));
      const f = gateSigmoid(pre(gRow + rowH + o4, b4 == 0 ? 0 : b4 + rowH, r));
      const g = gateTanh(pre(gRow + 2 * rowH + o4, b4 == 0 ? 0 : b4 + 2 * rowH, r));
      const o = gateSigmoid(pre(gRow + 3 * rowH + o4, b4 == 0 ? 0 : b4 + 3 * rowH, r));
      const cv = madd(f, ld(cPrev + off + o4, r), f32x4.mul(i, g));
      st(gRow + o4, i, r);
      st(gRow + rowH + o4, f, r);
      st(gRow + 2 * rowH + o4, g, r);
      st(gRow + 3 * rowH + o4, o, r);
      st(c + off + o4, cv, r);
      st(h + off + o4, f32x4.mul(o, gateTanh(cv)), r);
    }
  }
}

/**
 * One step back through the cell. acts [B, 4H] are the forward activations; cPrev, c [B, H].
 * dh [B, H]: gradient reaching h from later steps (in); the step's output gradient dy [B, H] (0 ptr
 * for none) is added to it. dc [B, H]: gradient reaching c (in), becomes the gradient of c' (out).
 * dgates [B, 4H] out: gradient of the pre-activations. On unmasked rows dh is cleared (its gradient
 * has gone into dgates; the caller adds dgates · W_hh for h'); masked rows keep dh and dc as they are.
 */
export function f32_lstm_cell_backward(acts: usize, cPrev: usize, c: usize, dy: usize, dh: usize, dc: usize, dgates: usize, mask: usize, B: i32, H: i32): void {
  const rowH = <usize>H << 2;
  const rowG = rowH << 2;
  const one = f32x4.splat(1.0);
  const zero = f32x4.splat(0.0);
  for (let b = 0; b < B; b++) {
    const aRow = acts + <usize>b * rowG;
    const dRow = dgates + <usize>b * rowG;
    const off = <usize>b * rowH;
    if (rowMask(mask, b) == 0) {
      memory.fill(dRow, 0, rowG);
      continue;
    }
    for (let j = 0; j < H; j += 4) {
      const r = <usize>min(4, H - j);
      const o4 = <usize>j << 2;
      const i = ld(aRow + o4, r);
      const f = ld(aRow + rowH + o4, r);
      const g = ld(aRow + 2 * rowH + o4, r);
      const o = ld(aRow + 3 * rowH + o4, r);
      let dhv = ld(dh + off + o4, r);
      if (dy != 0) dhv = f32x4.add(dhv, ld(dy + off + o4, r));
      const tc = gateTanh(ld(c + off + o4, r));
      // dc_total = dc + dh o (1 - tanh(c)^2)
      const dct = madd(f32x4.mul(dhv, o), f32x4.sub(one, f32x4.mul(tc, tc)), ld(dc + off + o4, r));
      const di = f32x4.mul(f32x4.mul(dct, g), f32x4.mul(i, f32x4.sub(one, i)));
      const df = f32x4.mul(f32x4.mul(dct, ld(cPrev + off + o4, r)), f32x4.mul(f, f32x4.sub(one, f)));
      const dg = f32x4.mul(f32x4.mul(dct, i), f32x4.sub(one, f32x4.mul(g, g)));
      const dO = f32x4.mul(f32x4.mul(dhv, tc), f32x4.mul(o, f32x4.sub(one, o)));
      st(dRow + o4, di, r);
      st(dRow + rowH + o4, df, r);
      st(dRow + 2 * rowH + o4, dg, r);
      st(dRow + 3 * rowH + o4, dO, r);
      st(dc + off + o4, f32x4.mul(dct, f), r);
      st(dh + off + o4, zero, r);
    }
  }
}
