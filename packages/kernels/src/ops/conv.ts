/**
 * 2-D convolution (cross-correlation, as in every framework) on NCHW tensors with weights
 * [OC, C/groups, KH, KW]: stride, zero padding, dilation and groups. Each image and group is
 * im2col + one packed GEMM; the backward pass is a GEMM for the filter gradient (accumulated over the
 * batch) and a GEMM + col2im for the input gradient.
 */
import type { Kernels } from '../load.js';
import { kernel } from './check.js';
import { gemm } from './gemm.js';
import { fill } from './elementwise.js';
import { reduce } from './reduce.js';

export interface Conv2dGeometry {
  N: number;
  C: number;
  H: number;
  W: number;
  OC: number;
  KH: number;
  KW: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
  dilationH: number;
  dilationW: number;
  groups: number;
}

/** floor((in + 2 pad - dilation (k - 1) - 1) / stride) + 1: the seeds' (W - F + 2P) / S + 1 with dilation. */
export function convOutputSize(input: number, k: number, stride: number, pad: number, dilation = 1): number {
  return Math.floor((input + 2 * pad - dilation * (k - 1) - 1) / stride) + 1;
}

export function checkConvGeometry(g: Conv2dGeometry, where = 'conv2d'): { OH: number; OW: number } {
  for (const key of ['N', 'C', 'H', 'W', 'OC', 'KH', 'KW', 'strideH', 'strideW', 'dilationH', 'dilationW', 'groups'] as const) {
    if (!Number.isSafeInteger(g[key]) || g[key] < 1) throw new RangeError(`${where}: ${key} must be a positive integer, got ${g[key]}`);
  }
  for (const key of ['padH', 'padW'] as const) {
    if (!Number.isSafeInteger(g[key]) || g[key] < 0) throw new RangeError(`${where}: ${key} must be a non-negative integer, got ${g[key]}`);
  }
  if (g.C % g.groups !== 0 || g.OC % g.groups !== 0) {
    throw new RangeError(`${where}: ${g.C} input and ${g.OC} output channels must both be divisible by groups ${g.groups}`);
  }
  const OH = convOutputSize(g.H, g.KH, g.strideH, g.padH, g.dilationH);
  const OW = convOutputSize(g.W, g.KW, g.strideW, g.padW, g.dilationW);
  if (OH < 1 || OW < 1) {
    throw new RangeError(
      `${where}: a ${g.KH}x${g.KW} kernel (dilation ${g.dilationH}x${g.dilationW}) does not fit a ${g.H}x${g.W} input with padding ${g.padH}x${g.padW}`,
    );
  }
  return { OH, OW };
}

function colsArgs(g: Conv2dGeometry, OH: number, OW: number): number[] {
  return [g.C / g.groups, g.H, g.W, g.KH, g.KW, g.strideH, g.strideW, g.padH, g.padW, g.dilationH, g.dilationW, OH, OW];
}

/** y = conv(x, w) + b; b may be 0 (no bias). */
export function conv2dForward(k: Kernels, g: Conv2dGeometry, x: number, w: number, b: number, y: number): void {
  const { OH, OW } = checkConvGeometry(g);
  const cg = g.C / g.groups;
  const og = g.OC / g.groups;
  const kk = cg * g.KH * g.KW;
  const P = OH * OW;
  const im2col = kernel(k, 'f32_im2col');
  // A 1x1 kernel with stride 1 and no padding reads the input as it is: no columns needed.
  const direct = g.KH === 1 && g.KW === 1 && g.strideH === 1 && g.strideW === 1 && g.padH === 0 && g.padW === 0;
  const cols = direct ? 0 : k.arena.alloc(kk * P * 4);
  try {
    for (let n = 0; n < g.N; n++) {
      const yImg = y + n * g.OC * P * 4;
      if (b !== 0) {
        for (let o = 0; o < g.OC; o++) fill(k, yImg + o * P * 4, P, k.arena.f32(b + o * 4, 1)[0]!);
      }
      for (let gr = 0; gr < g.groups; gr++) {
        const xg = x + (n * g.C + gr * cg) * g.H * g.W * 4;
        let src = xg;
        if (!direct) {
          im2col(xg, ...colsArgs(g, OH, OW), cols);
          src = cols;
        }
        gemm(k, false, false, og, P, kk, 1, w + gr * og * kk * 4, kk, src, P, b !== 0 ? 1 : 0, yImg + gr * og * P * 4, P);
      }
    }
  } finally {
    if (cols !== 0) k.arena.free(cols);
  }
}

/**
 * Gradients of conv2dForward. dx (overwritten) may be 0 to skip it; dw and db (overwritten) may be 0.
 */
export function conv2dBackward(k: Kernels, g: Conv2dGeometry, x: number, w: number, dy: number, dx: number, dw: number, db: number): void {
  const { OH, OW } = checkConvGeometry(g, 'conv2dBackward');
  const cg = g.C / g.groups;
  const og = g.OC / g.groups;
  const kk = cg * g.KH * g.KW;
  const P = OH * OW;
  const direct = g.KH === 1 && g.KW === 1 && g.strideH === 1 && g.strideW === 1 && g.padH === 0 && g.padW === 0;
  const im2col = kernel(k, 'f32_im2col');
  const col2im = kernel(k, 'f32_col2im');
  const cols = direct ? 0 : k.arena.alloc(kk * P * 4);
  try {
    if (db !== 0) {
      // db[o] = sum over n, oh, ow of dy[n, o]: reduce [N, OC, P] over P, then over N.
      const perImage = k.arena.alloc(g.N * g.OC * 4);
      reduce(k, 'sum', perImage, dy, g.N * g.OC, P, 1);
      reduce(k, 'sum', db, perImage, 1, g.N, g.OC);
      k.arena.free(perImage);
    }
    if (dx !== 0 && !direct) fill(k, dx, g.N * g.C * g.H * g.W, 0);
    for (let n = 0; n < g.N; n++) {
      const dyImg = dy + n * g.OC * P * 4;
      for (let gr = 0; gr < g.groups; gr++) {
        const xg = x + (n * g.C + gr * cg) * g.H * g.W * 4;
        const dyg = dyImg + gr * og * P * 4;
        const wg = w + gr * og * kk * 4;
        if (dw !== 0) {
          let src = xg;
          if (!direct) {
            im2col(xg, ...colsArgs(g, OH, OW), cols);
            src = cols;
          }
          // dW_g (+)= dY_g [og, P] · colsᵀ [P, kk]
          gemm(k, false, true, og, kk, P, 1, dyg, P, src, P, n === 0 ? 0 : 1, dw + gr * og * kk * 4, kk);
        }
        if (dx !== 0) {
          const dxg = dx + (n * g.C + gr * cg) * g.H * g.W * 4;
          if (direct) {
            gemm(k, true, false, kk, P, og, 1, wg, kk, dyg, P, 0, dxg, P);
          } else {
            // dcols = W_gᵀ [kk, og] · dY_g [og, P], then scattered back onto the image.
            gemm(k, true, false, kk, P, og, 1, wg, kk, dyg, P, 0, cols, P);
            col2im(cols, ...colsArgs(g, OH, OW), dxg);
          }
        }
      }
    }
  } finally {
    if (cols !== 0) k.arena.free(cols);
  }
}
