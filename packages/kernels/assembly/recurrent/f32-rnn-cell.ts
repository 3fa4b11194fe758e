// Elman RNN cell, one time step: h = act(a) with act tanh or ReLU, where a = W_ih x + b_ih + W_hh h' + b_hh
// comes from the GEMMs run outside.
import { vtanh } from '../common/vmath';
import { ld, st, rowMask, copyRow } from './lanes4';

/** pre [B, H]: pre-activations (read). h [B, H] out. relu: 1 for ReLU, 0 for tanh. */
export function f32_rnn_cell_forward(pre: usize, hPrev: usize, h: usize, mask: usize, B: i32, H: i32, relu: i32): void {
  const rowH = <usize>H << 2;
  const zero = f32x4.splat(0.0);
  for (let b = 0; b < B; b++) {
    const off = <usize>b * rowH;
    if (rowMask(mask, b) == 0) {
      copyRow(h + off, hPrev + off, H);
      continue;
    }
    for (let j = 0; j < H; j += 4) {
      const r = <usize>min(4, H - j);
      const o4 = <usize>j << 2;
      const a = ld(pre + off + o4, r);
      st(h + off + o4, relu ? f32x4.max(a, zero) : vtanh(a), r);
    }
  }
}

/**
 * h [B, H]: the step's output. dh in (plus dy when given); dpre [B, H] out = dh · act'(a), computed
 * from h (1 - h² for tanh, h > 0 for ReLU). Unmasked rows of dh are cleared (the caller adds
 * dpre · W_hh); masked rows keep theirs.
 */
export function f32_rnn_cell_backward(h: usize, dy: usize, dh: usize, dpre: usize, mask: usize, B: i32, H: i32, relu: i32): void {
  const rowH = <usize>H << 2;
  const zero = f32x4.splat(0.0);
  const one = f32x4.splat(1.0);
  for (let b = 0; b < B; b++) {
    const off = <usize>b * rowH;
    if (rowMask(mask, b) == 0) {
      memory.fill(dpre + off, 0, rowH);
      continue;
    }
    for (let j = 0; j < H; j += 4) {
      const r = <usize>min(4, H - j);
      const o4 = <usize>j << 2;
      let d = ld(dh + off + o4, r);
      if (dy != 0) d = f32x4.add(d, ld(dy + off + o4, r));
      const hv = ld(h + off + o4, r);
      const g = relu ? v128.and(d, f32x4.gt(hv, zero)) : f32x4.mul(d, f32x4.sub(one, f32x4.mul(hv, hv)));
      st(dpre + off + o4, g, r);
      st(dh + off + o4, zero, r);
    }
  }
}
