/**
 * PyTorch's F.interpolate on NCHW tensors, modes 'nearest' and 'bilinear' (alignCorners false or
 * true), to a size or by a scale factor, forward and backward side by side.
 *
 * Both modes are separable: each output row reads one or two input rows, each output column one or
 * two input columns, with weights that depend only on the row (column). The tables of source indices
 * and weights are built once per call in float32, as PyTorch computes them (so a nearest source index
 * such as floor(3 · (1/1.5)) comes out as PyTorch's), then applied plane by plane; the backward pass
 * scatters through the same tables.
 */
import { Tensor, recordOp } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { defineOp } from '../check/operands.js';
import { bool, checkOptions, oneOf, optionKeys, show } from '../check/options.js';

export type InterpolateMode = 'nearest' | 'bilinear';
export const INTERPOLATE_MODES: readonly InterpolateMode[] = ['nearest', 'bilinear'];

export interface InterpolateOptions {
  /** The output's [H, W] (one number for both). Give size or scaleFactor, not both. */
  size?: number | readonly [number, number];
  /** Output size = floor(input size · scaleFactor), per dimension. */
  scaleFactor?: number | readonly [number, number];
  /** 'nearest' (the default) or 'bilinear'. */
  mode?: InterpolateMode;
  /** Bilinear only: corner pixels' centres are aligned (PyTorch's align_corners; default false). */
  alignCorners?: boolean;
}
export const INTERPOLATE_OPTIONS = optionKeys<InterpolateOptions>({ size: true, scaleFactor: true, mode: true, alignCorners: true });

export interface InterpolateParams {
  size: [number, number] | null;
  scaleFactor: [number, number] | null;
  mode: InterpolateMode;
  alignCorners: boolean;
}

/** Checks interpolate's options (exactly one of size and scaleFactor), naming `where`. */
export function readInterpolateOptions(where: string, opts: InterpolateOptions = {}): InterpolateParams {
  checkOptions(where, opts, INTERPOLATE_OPTIONS);
  const mode = oneOf(where, 'mode', opts.mode ?? 'nearest', INTERPOLATE_MODES);
  if (opts.alignCorners !== undefined) {
    bool(where, 'alignCorners', opts.alignCorners);
    if (mode === 'nearest') throw new RangeError(`${where}: alignCorners can only be set with mode 'bilinear', got mode 'nearest'`);
  }
  if ((opts.size === undefined) === (opts.scaleFactor === undefined)) {
    throw new RangeError(`${where}: give exactly one of size and scaleFactor, got ${opts.size === undefined ? 'neither' : `size ${show(opts.size)} and scaleFactor ${show(opts.scaleFactor)}`}`);
  }
  const pair = (name: string, v: unknown, check: (d: unknown) => boolean, must: string): [number, number] => {
    const p = typeof v === 'number' ? [v, v] : Array.isArray(v) && v.length === 2 ? v : null;
    if (p === null || !p.every(check)) throw new RangeError(`${where}: ${name} must be ${must} or a pair [h, w] of them, got ${show(v)}`);
    return [p[0] as number, p[1] as number];
  };
  const size = opts.size === undefined ? null : pair('size', opts.size, (d) => Number.isSafeInteger(d) && (d as number) >= 1, 'a positive integer');
  const scaleFactor = opts.scaleFactor === undefined ? null
    : pair('scaleFactor', opts.scaleFactor, (d) => typeof d === 'number' && Number.isFinite(d) && d > 0, 'a positive finite number');
  return { size, scaleFactor, mode, alignCorners: opts.alignCorners ?? false };
}

/** One axis's table: output i reads input i0[i] with weight 1 - l1[i] and input i1[i] with weight l1[i]. */
interface Axis {
  i0: Int32Array;
  i1: Int32Array;
  l1: Float32Array;
}

const f = Math.fround;

/** PyTorch's compute_scales_value: 1 / scale_factor when one was given, else in / out (in float32). */
function sourceScale(inSize: number, outSize: number, scaleFactor: number | null): number {
  return scaleFactor !== null ? f(1 / scaleFactor) : f(inSize / outSize);
}

function nearestAxis(inSize: number, outSize: number, scaleFactor: number | null): Axis {
  const i0 = new Int32Array(outSize);
  const scale = sourceScale(inSize, outSize, scaleFactor);
  for (let o = 0; o < outSize; o++) {
    // PyTorch's nearest_idx: exact copies and doublings first, then min(floor(o · scale), in - 1) in float32.
    i0[o] = outSize === inSize ? o : outSize === 2 * inSize ? o >> 1 : Math.min(Math.floor(f(o * scale)), inSize - 1);
  }
  return { i0, i1: i0, l1: new Float32Array(outSize) };
}

function bilinearAxis(inSize: number, outSize: number, scaleFactor: number | null, alignCorners: boolean): Axis {
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const l1 = new Float32Array(outSize);
  // PyTorch's area_pixel_compute_scale and area_pixel_compute_source_index, in float32.
  const scale = alignCorners ? (outSize > 1 ? f((inSize - 1) / (outSize - 1)) : 0) : sourceScale(inSize, outSize, scaleFactor);
  for (let o = 0; o < outSize; o++) {
    let src: number;
    if (alignCorners) src = f(scale * o);
    else {
      src = f(f(scale * f(o + 0.5)) - 0.5);
      if (src < 0) src = 0;
    }
    const lo = Math.min(Math.floor(src), inSize - 1);
    i0[o] = lo;
    i1[o] = lo < inSize - 1 ? lo + 1 : lo;
    l1[o] = f(src - lo);
  }
  return { i0, i1, l1 };
}

/** The output's [H, W]: the size given, or floor(input · scaleFactor) as PyTorch computes it. */
function outputSize(where: string, p: InterpolateParams, H: number, W: number): [number, number] {
  if (p.size) return p.size;
  const [sh, sw] = p.scaleFactor!;
  const out: [number, number] = [Math.floor(H * sh), Math.floor(W * sw)];
  if (out[0] < 1 || out[1] < 1) {
    throw new RangeError(`${where}: scaleFactor ${show(p.scaleFactor)} gives an empty ${out[0]}x${out[1]} output for a ${H}x${W} input`);
  }
  return out;
}

/** PyTorch's F.interpolate for [N, C, H, W] input, modes 'nearest' and 'bilinear'. */
export const interpolate = defineOp('interpolate', 'x', function interpolate(x: Tensor, opts: InterpolateOptions = {}): Tensor {
  const where = 'interpolate';
  const p = readInterpolateOptions(where, opts);
  if (x.ndim !== 4) throw new Error(`${where}: expected input [N, C, H, W], got ${formatShape(x.shape)}`);
  const [N, C, H, W] = x.shape as [number, number, number, number];
  if (H < 1 || W < 1) throw new Error(`${where}: input ${formatShape(x.shape)} has no pixels`);
  const [OH, OW] = outputSize(where, p, H, W);
  const sh = p.scaleFactor ? p.scaleFactor[0] : null;
  const sw = p.scaleFactor ? p.scaleFactor[1] : null;
  const rows = p.mode === 'nearest' ? nearestAxis(H, OH, sh) : bilinearAxis(H, OH, sh, p.alignCorners);
  const cols = p.mode === 'nearest' ? nearestAxis(W, OW, sw) : bilinearAxis(W, OW, sw, p.alignCorners);
  const out = Tensor.empty([N, C, OH, OW]);
  const planes = N * C;
  if (p.mode === 'nearest') nearestForward(x.data, out.data, planes, H, W, rows, cols);
  else bilinearForward(x.data, out.data, planes, H, W, rows, cols);
  return recordOp(out, 'interpolate', [x], (grad) => {
    const dx = Tensor.empty(x.shape);
    dx.data.fill(0);
    if (p.mode === 'nearest') nearestBackward(grad.data, dx.data, planes, H, W, rows, cols);
    else bilinearBackward(grad.data, dx.data, planes, H, W, rows, cols);
    return [dx];
  });
});

/** PyTorch's deprecated F.upsample: the same as interpolate. */
export const upsample = interpolate;

function nearestForward(src: Float32Array, dst: Float32Array, planes: number, H: number, W: number, rows: Axis, cols: Axis): void {
  const OH = rows.i0.length;
  const OW = cols.i0.length;
  const ci = cols.i0;
  for (let pl = 0, d = 0; pl < planes; pl++) {
    for (let oh = 0; oh < OH; oh++) {
      const r = (pl * H + rows.i0[oh]!) * W;
      for (let ow = 0; ow < OW; ow++) dst[d++] = src[r + ci[ow]!]!;
    }
  }
}

function nearestBackward(g: Float32Array, dx: Float32Array, planes: number, H: number, W: number, rows: Axis, cols: Axis): void {
  const OH = rows.i0.length;
  const OW = cols.i0.length;
  const ci = cols.i0;
  for (let pl = 0, d = 0; pl < planes; pl++) {
    for (let oh = 0; oh < OH; oh++) {
      const r = (pl * H + rows.i0[oh]!) * W;
      for (let ow = 0; ow < OW; ow++) dx[r + ci[ow]!] += g[d++]!;
    }
  }
}

function bilinearForward(src: Float32Array, dst: Float32Array, planes: number, H: number, W: number, rows: Axis, cols: Axis): void {
  const OH = rows.i0.length;
  const OW = cols.i0.length;
  const { i0: c0, i1: c1, l1: cl } = cols;
  for (let pl = 0, d = 0; pl < planes; pl++) {
    for (let oh = 0; oh < OH; oh++) {
      const r0 = (pl * H + rows.i0[oh]!) * W;
      const r1 = (pl * H + rows.i1[oh]!) * W;
      const h1 = rows.l1[oh]!;
      const h0 = 1 - h1;
      for (let ow = 0; ow < OW; ow++) {
        const w1 = cl[ow]!;
        const w0 = 1 - w1;
        const a = c0[ow]!;
        const b = c1[ow]!;
        dst[d++] = h0 * (w0 * src[r0 + a]! + w1 * src[r0 + b]!) + h1 * (w0 * src[r1 + a]! + w1 * src[r1 + b]!);
      }
    }
  }
}

function bilinearBackward(g: Float32Array, dx: Float32Array, planes: number, H: number, W: number, rows: Axis, cols: Axis): void {
  const OH = rows.i0.length;
  const OW = cols.i0.length;
  const { i0: c0, i1: c1, l1: cl } = cols;
  for (let pl = 0, d = 0; pl < planes; pl++) {
    for (let oh = 0; oh < OH; oh++) {
      const r0 = (pl * H + rows.i0[oh]!) * W;
      const r1 = (pl * H + rows.i1[oh]!) * W;
      const h1 = rows.l1[oh]!;
      const h0 = 1 - h1;
      for (let ow = 0; ow < OW; ow++) {
        const v = g[d++]!;
        const w1 = cl[ow]!;
        const w0 = 1 - w1;
        const a = c0[ow]!;
        const b = c1[ow]!;
        dx[r0 + a] += h0 * w0 * v;
        dx[r0 + b] += h0 * w1 * v;
        dx[r1 + a] += h1 * w0 * v;
        dx[r1 + b] += h1 * w1 * v;
      }
    }
  }
}
