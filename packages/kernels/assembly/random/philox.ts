// Philox4x32-10 (Salmon, Moraes, Dror and Shaw, "Parallel random numbers: as easy as 1, 2, 3", SC 2011)
// driving every sampling kernel of this family. A block is the counter (b, 0, 0, 0) encrypted under
// the key (k0, k1); a sampling call draws its key from the seeded Generator, so an element's random
// bits depend only on (key, element index): the same samples at any thread count or split.
//
// Four blocks run at once, one per lane: after the rounds, lane j of X_w is word w of block 4 t + j.
// Element order: element 16 t + 4 w + j is word w of block b0 + 4 t + j, so X_w stores as is (no
// transpose). src/reference/random.ts follows the same order.
//
// AssemblyScript cannot return four vectors, so `philoxGroups` is an inlined driver: it runs the rounds
// for each group of 16 elements and hands the words to the per-kernel transform (selected by a constant
// `mode`, folded away after inlining). Remainders are handled at the store: the last group is computed
// whole and only its first n - 16 t elements are written.
import { loadTail, storeTail } from '../common/lanes';
import { vlog, vsigmoid } from '../common/vmath';
import { madd } from '../common/madd';

export const MODE_UNIFORM = 0;
export const MODE_BERNOULLI = 1;
export const MODE_BERNOULLI_SIGMOID = 2;
export const MODE_NORMAL = 3;
export const MODE_DROPOUT = 4;

// @ts-ignore: decorator
@inline
function mulhi(a: v128, m: i32): v128 {
  const vm = i32x4.splat(m);
  return v128.shuffle<u32>(i64x2.extmul_low_i32x4_u(a, vm), i64x2.extmul_high_i32x4_u(a, vm), 1, 3, 5, 7);
}

/** 24 high bits of each word as a float in [0, 1) (exact: u = (x >> 8) 2^-24). */
// @ts-ignore: decorator
@inline
function unit(x: v128): v128 {
  return f32x4.mul(f32x4.convert_i32x4_u(i32x4.shr_u(x, 8)), f32x4.splat(5.9604644775390625e-8));
}

/** sin and cos of 2 pi u for u in [0, 1): quadrant from the top two bits, Taylor series on [0, pi/2]. */
// @ts-ignore: decorator
@inline
function sinPoly(a: v128): v128 {
  const z = f32x4.mul(a, a);
  let p = madd(z, f32x4.splat(-2.5052108e-8), f32x4.splat(2.7557319e-6));
  p = madd(p, z, f32x4.splat(-1.9841270e-4));
  p = madd(p, z, f32x4.splat(8.3333333e-3));
  p = madd(p, z, f32x4.splat(-1.6666667e-1));
  return madd(f32x4.mul(p, z), a, a);
}

// @ts-ignore: decorator
@inline
function cosPoly(a: v128): v128 {
  const z = f32x4.mul(a, a);
  let p = madd(z, f32x4.splat(2.0876757e-9), f32x4.splat(-2.7557319e-7));
  p = madd(p, z, f32x4.splat(2.4801587e-5));
  p = madd(p, z, f32x4.splat(-1.3888889e-3));
  p = madd(p, z, f32x4.splat(4.1666667e-2));
  p = madd(p, z, f32x4.splat(-0.5));
  return madd(p, z, f32x4.splat(1.0));
}

/** Writes the first `r` (1..4) lanes of v at p. */
// @ts-ignore: decorator
@inline
function put(p: usize, v: v128, r: i32): void {
  if (r >= 4) v128.store(p, v);
  else if (r > 0) storeTail(p, v, <usize>r);
}

// @ts-ignore: decorator
@inline
function get(p: usize, r: i32, fill: f32): v128 {
  return r >= 4 ? v128.load(p) : loadTail(p, r > 0 ? <usize>r : 1, fill);
}

/** One output slot (4 lanes at element e, r of them valid) for the element-wise modes. */
// @ts-ignore: decorator
@inline
function emit(mode: i32, x: v128, e: usize, r: i32, src: usize, prob: usize, out: usize, a: f32, q: f32): void {
  if (r <= 0) return;
  const o = e << 2;
  const u = unit(x);
  if (mode == MODE_UNIFORM) {
    put(out + o, u, r);
  } else if (mode == MODE_BERNOULLI) {
    put(out + o, v128.and(f32x4.lt(u, get(src + o, r, 0)), f32x4.splat(1.0)), r);
  } else if (mode == MODE_BERNOULLI_SIGMOID) {
    // s = sigmoid(a * x): a is the inverse temperature (AIS, annealing); a = 1 is the plain conditional.
    const s = vsigmoid(f32x4.mul(f32x4.splat(a), get(src + o, r, 0)));
    if (prob != 0) put(prob + o, s, r);
    put(out + o, v128.and(f32x4.lt(u, s), f32x4.splat(1.0)), r);
  } else if (mode == MODE_DROPOUT) {
    // Inverted dropout: the mask is 0 where u < q (the drop probability), else a (1 / (1 - q)); times
    // src[i] when src != 0 (a multiplication, so NaN and infinities propagate as x * mask does).
    const m = v128.bitselect(f32x4.splat(a), f32x4.splat(0), f32x4.ge(u, f32x4.splat(q)));
    put(out + o, src != 0 ? f32x4.mul(get(src + o, r, 0), m) : m, r);
  }
}

/** Box-Muller on the word pair (xr, xt): cos into element e, sin into element e + 4. */
// @ts-ignore: decorator
@inline
function emitNormal(xr: v128, xt: v128, e: usize, r: i32, src: usize, out: usize, std: f32): void {
  if (r <= 0) return;
  // u1 in (0, 1] so log is finite; u2 in [0, 1).
  const u1 = f32x4.mul(f32x4.convert_i32x4_u(i32x4.add(i32x4.shr_u(xr, 8), i32x4.splat(1))), f32x4.splat(5.9604644775390625e-8));
  const rad = f32x4.mul(f32x4.sqrt(f32x4.mul(f32x4.splat(-2.0), vlog(u1))), f32x4.splat(std));
  const q = i32x4.shr_u(xt, 30);
  const a = f32x4.mul(f32x4.convert_i32x4_u(i32x4.shr_u(i32x4.shl(xt, 2), 8)), f32x4.splat(5.9604644775390625e-8 * 1.5707963267948966));
  const s = sinPoly(a), c = cosPoly(a);
  // Quadrant q rotates (cos, sin) by q * pi/2: (c, s), (-s, c), (-c, -s), (s, -c).
  const odd = i32x4.ne(v128.and(q, i32x4.splat(1)), i32x4.splat(0));
  const cosv0 = v128.bitselect(s, c, odd);
  const sinv0 = v128.bitselect(c, s, odd);
  const negCos = i32x4.shl(i32x4.shr_u(i32x4.add(q, i32x4.splat(1)), 1), 31); // q = 1, 2
  const negSin = i32x4.shl(i32x4.shr_u(q, 1), 31); // q = 2, 3
  const z0 = f32x4.mul(rad, v128.xor(cosv0, negCos));
  const z1 = f32x4.mul(rad, v128.xor(sinv0, negSin));
  const o = e << 2;
  if (src != 0) {
    put(out + o, f32x4.add(get(src + o, r, 0), z0), r);
    put(out + o + 16, f32x4.add(get(src + o + 16, r - 4, 0), z1), r - 4);
  } else {
    put(out + o, z0, r);
    put(out + o + 16, z1, r - 4);
  }
}

/** Runs Philox over ceil(n / 16) groups and emits each group through the mode's transform. */
// @ts-ignore: decorator
@inline
export function philoxGroups(mode: i32, src: usize, prob: usize, out: usize, n: i32, a: f32, k0: u32, k1: u32, b0: u32, q: f32 = 0): void {
  const lanes = i32x4(0, 1, 2, 3);
  for (let t = 0; t * 16 < n; t++) {
    let x0 = i32x4.add(i32x4.splat(<i32>(b0 + (<u32>t << 2))), lanes);
    let x1 = i32x4.splat(0), x2 = i32x4.splat(0), x3 = i32x4.splat(0);
    let ka = k0, kb = k1;
    for (let round = 0; round < 10; round++) {
      const h0 = mulhi(x0, 0xd2511f53), l0 = i32x4.mul(x0, i32x4.splat(0xd2511f53));
      const h1 = mulhi(x2, 0xcd9e8d57), l1 = i32x4.mul(x2, i32x4.splat(0xcd9e8d57));
      x0 = v128.xor(v128.xor(h1, x1), i32x4.splat(<i32>ka));
      x2 = v128.xor(v128.xor(h0, x3), i32x4.splat(<i32>kb));
      x1 = l1;
      x3 = l0;
      ka += 0x9e3779b9;
      kb += 0xbb67ae85;
    }
    const e = <usize>t << 4;
    const r = n - t * 16;
    if (mode == MODE_NORMAL) {
      emitNormal(x0, x1, e, r, src, out, a);
      emitNormal(x2, x3, e + 8, r - 8, src, out, a);
    } else {
      emit(mode, x0, e, r, src, prob, out, a, q);
      emit(mode, x1, e + 4, r - 4, src, prob, out, a, q);
      emit(mode, x2, e + 8, r - 8, src, prob, out, a, q);
      emit(mode, x3, e + 12, r - 12, src, prob, out, a, q);
    }
  }
}
