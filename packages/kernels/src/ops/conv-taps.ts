/** The tap table of small convolution outputs (f32_im2col_table and friends), shared by the im2col paths. */
import type { Kernels } from '../load.js';
import type { Conv2dGeometry } from './conv.js';

/**
 * Rows of at most 16 output pixels (a DCGAN's 7x7 and 14x14 maps): im2col's per-row bookkeeping costs
 * more than the data it moves there. Measured here on the DCGAN of issue 15 (one thread, per batch of
 * 64): im2col + col2im of its 64@14x14 -> 7x7, 4x4 stride-2 layers took about 60 ms by rows (after
 * the rows' own fixes; 107 ms before), under 6 ms by table.
 */
export function tapTableApplies(g: Conv2dGeometry, OH: number, OW: number): boolean {
  // Stride-1 rows of 8 or more take the row kernels' vector copies: LeNet C3's im2col (64 x 6 x 14 x 14,
  // 10 outputs a row) took 0.72 ms by rows and 1.0 ms by table here, col2im 0.69 and 1.0 ms.
  if (g.strideW === 1 && OW >= 8) return false;
  return OW <= 16 && g.KH * g.KW * OH * OW <= 1 << 16;
}

/**
 * The input pixel (ih * W + iw) each tap (kh * KW + kw) reads for each output pixel (oh * OW + ow), or
 * -1 in the padding: KH*KW*OH*OW int32 in the arena (free it after use).
 */
export function tapTable(k: Kernels, g: Conv2dGeometry, OH: number, OW: number): number {
  const n = g.KH * g.KW * OH * OW;
  const ptr = k.arena.alloc(n * 4);
  const t = k.arena.i32(ptr, n);
  let i = 0;
  for (let kh = 0; kh < g.KH; kh++) {
    for (let kw = 0; kw < g.KW; kw++) {
      for (let oh = 0; oh < OH; oh++) {
        const ih = oh * g.strideH - g.padH + kh * g.dilationH;
        for (let ow = 0; ow < OW; ow++) {
          const iw = ow * g.strideW - g.padW + kw * g.dilationW;
          t[i++] = ih >= 0 && ih < g.H && iw >= 0 && iw < g.W ? ih * g.W + iw : -1;
        }
      }
    }
  }
  return ptr;
}

