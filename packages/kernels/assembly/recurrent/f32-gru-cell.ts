// GRU cell, one time step, PyTorch's form and gate order (r, z, n) with the reset gate applied after
// the recurrent product:
//   r = σ(x_r + h_r), z = σ(x_z + h_z), n = tanh(x_n + r h_n), h = (1 - z) n + z h'
// where x_* = W_i* x + b_i* and h_* = W_h* h' + b_h* come from GEMMs run outside.
import { vsigmoid, vtanh } from '../common/vmath';
import { madd } from '../common/madd';
import { ld, st, rowMask, copyRow } from './lanes4';

/**
 * gx [B, 3H]: input pre-activations in, activations (r, z, n) out. gh [B, 3H]: recurrent
 * pre-activations (read; h_n is needed again by the backward pass). hPrev in, h out [B, H].
 */
export function f32_gru_cell_forward(gx: usize, gh: usize, hPrev: usize, h: usize, mask: usize, B: i32, H: i32): void {
  const rowH = <usize>H << 2;
  const rowG = rowH * 3;
  for (let b = 0; b < B; b++) {
    const xRow = gx + <usize>b * rowG;
    const hRow = gh + <usize>b * rowG;
    const off = <usize>b * rowH;
    if (rowMask(mask, b) == 0) {
      copyRow(h + off, hPrev + off, H);
      continue;
    }
    for (let j = 0; j < H; j += 4) {
      const r4 = <usize>min(4, H - j);
      const o4 = <usize>j << 2;
      const r = vsigmoid(f32x4.add(ld(xRow + o4, r4), ld(hRow + o4, r4)));
      const z = vsigmoid(f32x4.add(ld(xRow + rowH + o4, r4), ld(hRow + rowH + o4, r4)));
      const n = vtanh(madd(r, ld(hRow + 2 * rowH + o4, r4), ld(xRow + 2 * rowH + o4, r4)));
      const hp = ld(hPrev + off + o4, r4);
      // (1 - z) n + z h' = n + z (h' - n)
      st(h + off + o4, madd(z, f32x4.sub(hp, n), n), r4);
      st(xRow + o4, r, r4);
      st(xRow + rowH + o4, z, r4);
      st(xRow + 2 * rowH + o4, n, r4);
    }
  }
}

/**
 * acts [B, 3H] (r, z, n), gh [B, 3H] (recurrent pre-activations), hPrev [B, H].
 * dh [B, H] in (plus dy when given); out on unmasked rows: the direct part z·dh of the gradient of h'
 * (the caller adds dgh · W_hh). dgx, dgh [B, 3H] out: gradients of the input and recurrent
 * pre-activations (they differ only in the n block, where dgh_n = dgx_n · r).
 */
export function f32_gru_cell_backward(acts: usize, gh: usize, hPrev: usize, dy: usize, dh: usize, dgx: usize, dgh: usize, mask: usize, B: i32, H: i32): void {
  const rowH = <usize>H << 2;
  const rowG = rowH * 3;
  const one = f32x4.splat(1.0);
  for (let b = 0; b < B; b++) {
    const aRow = acts + <usize>b * rowG;
    const hRow = gh + <usize>b * rowG;
    const dxRow = dgx + <usize>b * rowG;
    const dhRow = dgh + <usize>b * rowG;
    const off = <usize>b * rowH;
    if (rowMask(mask, b) == 0) {
      memory.fill(dxRow, 0, rowG);
      memory.fill(dhRow, 0, rowG);
      continue;
    }
    for (let j = 0; j < H; j += 4) {
      const r4 = <usize>min(4, H - j);
      const o4 = <usize>j << 2;
      const r = ld(aRow + o4, r4);
      const z = ld(aRow + rowH + o4, r4);
      const n = ld(aRow + 2 * rowH + o4, r4);
      const hp = ld(hPrev + off + o4, r4);
      let dhv = ld(dh + off + o4, r4);
      if (dy != 0) dhv = f32x4.add(dhv, ld(dy + off + o4, r4));
      const dz = f32x4.mul(f32x4.mul(dhv, f32x4.sub(hp, n)), f32x4.mul(z, f32x4.sub(one, z)));
      const dn = f32x4.mul(f32x4.mul(dhv, f32x4.sub(one, z)), f32x4.sub(one, f32x4.mul(n, n)));
      const dr = f32x4.mul(f32x4.mul(dn, ld(hRow + 2 * rowH + o4, r4)), f32x4.mul(r, f32x4.sub(one, r)));
      st(dxRow + o4, dr, r4);
      st(dxRow + rowH + o4, dz, r4);
      st(dxRow + 2 * rowH + o4, dn, r4);
      st(dhRow + o4, dr, r4);
      st(dhRow + rowH + o4, dz, r4);
      st(dhRow + 2 * rowH + o4, f32x4.mul(dn, r), r4);
      st(dh + off + o4, f32x4.mul(dhv, z), r4);
    }
  }
}
