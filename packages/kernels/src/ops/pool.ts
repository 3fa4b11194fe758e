/** Max and average pooling over NCHW planes (kernel, stride, padding; max pooling also dilation). */
import type { Kernels } from '../load.js';
import { inMemory, kernel } from './check.js';
import { fill } from './elementwise.js';
import { splitOver } from '../threads/index.js';

/**
 * The threads' threshold counts multiply-adds (MIN_PARALLEL_WORK); a pooling tap (a compare and a
 * select with its index, or an input of the tiled gradient written) costs about four of them: LeNet's
 * second pooling (102 K taps) and its gradient took 50-110 µs on one thread, where 2^18 multiply-adds
 * take about 10.
 */
const POOL_WEIGHT = 4;

export interface Pool2dGeometry {
  /** N * C planes. */
  planes: number;
  H: number;
  W: number;
  KH: number;
  KW: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
  dilationH?: number;
  dilationW?: number;
  /** Round the output size up (PyTorch's ceil_mode); the last window must still start inside the input or left padding. */
  ceilMode?: boolean;
}

function pooledSize(input: number, k: number, stride: number, pad: number, dilation: number, ceil: boolean): number {
  const span = input + 2 * pad - dilation * (k - 1) - 1;
  if (!ceil) return Math.floor(span / stride) + 1;
  let out = Math.ceil(span / stride) + 1;
  if ((out - 1) * stride >= input + pad) out--;
  return out;
}

export function poolOutputSize(g: Pool2dGeometry, where: string): { OH: number; OW: number } {
  if (g.padH * 2 > g.KH || g.padW * 2 > g.KW) {
    throw new RangeError(`${where}: padding ${g.padH}x${g.padW} must be at most half the ${g.KH}x${g.KW} window`);
  }
  const OH = pooledSize(g.H, g.KH, g.strideH, g.padH, g.dilationH ?? 1, g.ceilMode ?? false);
  const OW = pooledSize(g.W, g.KW, g.strideW, g.padW, g.dilationW ?? 1, g.ceilMode ?? false);
  if (OH < 1 || OW < 1) throw new RangeError(`${where}: a ${g.KH}x${g.KW} window does not fit a ${g.H}x${g.W} input`);
  return { OH, OW };
}

/**
 * y = max over each window; idx (i32, same size as y) keeps the winning position in its plane. With
 * `relu`, y = relu(max) = max pooling of relu(x), one pass: windows whose maximum is not positive give
 * +0 and index -1, so maxPool2dBackward sends them no gradient (relu'(x) = 0 for x <= 0).
 */
export function maxPool2d(k: Kernels, g: Pool2dGeometry, x: number, y: number, idx: number, relu = false): void {
  const { OH, OW } = poolOutputSize(g, 'maxPool2d');
  const r = relu ? 1 : 0;
  // Planes are independent: split them over the threads.
  const [hw, o] = [g.H * g.W * 4, OH * OW * 4];
  const args = (p0: number, p1: number) => [x + p0 * hw, p1 - p0, g.H, g.W, g.KH, g.KW, g.strideH, g.strideW, g.padH, g.padW, g.dilationH ?? 1, g.dilationW ?? 1, OH, OW, y + p0 * o, idx + p0 * o, r];
  if (splitOver(k, POOL_WEIGHT * g.planes * OH * OW * g.KH * g.KW, g.planes, 1, (p0, p1) => ({ fn: 'f32_maxpool2d', args: args(p0, p1) }))) return;
  kernel(k, 'f32_maxpool2d')(x, g.planes, g.H, g.W, g.KH, g.KW, g.strideH, g.strideW, g.padH, g.padW, g.dilationH ?? 1, g.dilationW ?? 1, OH, OW, y, idx, r);
}

/** Whether the windows tile each plane without overlap (stride = window, no padding or dilation, none past the edge). */
export function poolWindowsTile(g: Pool2dGeometry, OH: number, OW: number): boolean {
  return g.strideH === g.KH && g.strideW === g.KW && g.padH === 0 && g.padW === 0 && (g.dilationH ?? 1) === 1 && (g.dilationW ?? 1) === 1 &&
    OH * g.KH <= g.H && OW * g.KW <= g.W;
}

/**
 * dx (overwritten) = dy routed to each window's maximum (index -1: nowhere). Windows that tile the
 * plane write dx in one pass (f32_maxpool2d_backward_tiled); others zero it, then add each dy. With
 * `sums` (a buffer of `planes` floats, else 0), sums[p] = the sum of plane p of dx, taken from the dy
 * that reached it in the same pass (windows in order, whatever the split): the bias gradient of a
 * convolution before the pooling, per image and channel, without another pass over dx.
 */
export function maxPool2dBackward(k: Kernels, g: Pool2dGeometry, dy: number, idx: number, dx: number, sums = 0): void {
  const { OH, OW } = poolOutputSize(g, 'maxPool2dBackward');
  inMemory(k, 'maxPool2dBackward', 'sums', sums, sums === 0 ? 0 : g.planes * 4);
  const [hw, o] = [g.H * g.W * 4, OH * OW * 4];
  const sumsAt = (p0: number) => (sums === 0 ? 0 : sums + p0 * 4);
  if (poolWindowsTile(g, OH, OW)) {
    const task = (p0: number, p1: number) => ({ fn: 'f32_maxpool2d_backward_tiled', args: [dy + p0 * o, idx + p0 * o, p1 - p0, g.H, g.W, g.KH, g.KW, OH, OW, dx + p0 * hw, sumsAt(p0)] });
    if (splitOver(k, POOL_WEIGHT * g.planes * g.H * g.W, g.planes, 1, task)) return;
    kernel(k, 'f32_maxpool2d_backward_tiled')(dy, idx, g.planes, g.H, g.W, g.KH, g.KW, OH, OW, dx, sums);
    return;
  }
  fill(k, dx, g.planes * g.H * g.W, 0);
  const task = (p0: number, p1: number) => ({ fn: 'f32_maxpool2d_backward', args: [dy + p0 * o, idx + p0 * o, p1 - p0, g.H, g.W, OH, OW, dx + p0 * hw, sumsAt(p0)] });
  if (splitOver(k, 4 * g.planes * OH * OW, g.planes, 1, task)) return;
  kernel(k, 'f32_maxpool2d_backward')(dy, idx, g.planes, g.H, g.W, OH, OW, dx, sums);
}

export function avgPool2d(k: Kernels, g: Pool2dGeometry, x: number, y: number, countIncludePad = true): void {
  const { OH, OW } = poolOutputSize(g, 'avgPool2d');
  const [hw, o] = [g.H * g.W * 4, OH * OW * 4];
  const args = (p0: number, p1: number) => [x + p0 * hw, p1 - p0, g.H, g.W, g.KH, g.KW, g.strideH, g.strideW, g.padH, g.padW, OH, OW, countIncludePad ? 1 : 0, y + p0 * o];
  if (splitOver(k, g.planes * OH * OW * g.KH * g.KW, g.planes, 1, (p0, p1) => ({ fn: 'f32_avgpool2d', args: args(p0, p1) }))) return;
  kernel(k, 'f32_avgpool2d')(x, g.planes, g.H, g.W, g.KH, g.KW, g.strideH, g.strideW, g.padH, g.padW, OH, OW, countIncludePad ? 1 : 0, y);
}

export function avgPool2dBackward(k: Kernels, g: Pool2dGeometry, dy: number, dx: number, countIncludePad = true): void {
  const { OH, OW } = poolOutputSize(g, 'avgPool2dBackward');
  fill(k, dx, g.planes * g.H * g.W, 0);
  const [hw, o] = [g.H * g.W * 4, OH * OW * 4];
  const args = (p0: number, p1: number) => [dy + p0 * o, p1 - p0, g.H, g.W, g.KH, g.KW, g.strideH, g.strideW, g.padH, g.padW, OH, OW, countIncludePad ? 1 : 0, dx + p0 * hw];
  if (splitOver(k, g.planes * OH * OW * g.KH * g.KW, g.planes, 1, (p0, p1) => ({ fn: 'f32_avgpool2d_backward', args: args(p0, p1) }))) return;
  kernel(k, 'f32_avgpool2d_backward')(dy, g.planes, g.H, g.W, g.KH, g.KW, g.strideH, g.strideW, g.padH, g.padW, OH, OW, countIncludePad ? 1 : 0, dx);
}
