// Batch normalisation with the batch's own statistics (training), per channel c over n and p of
// x [N, C, P]: the moments here; the normalisation itself is f32_batchnorm_inference with these
// moments; the backward pass from two sums per channel,
//   xhat = (x - mean) * invstd,  dbias = sum dy,  dweight = sum dy * xhat,
//   dx = weight * invstd * (dy - dbias / count - xhat * dweight / count).
// Each row of P floats is summed in f32 lanes, rows are accumulated in f64, and the variance is
// taken about the mean in a second pass (no cancellation), so large batches keep their digits.

/** Sum of the n floats at p, in f32 lanes, returned as f64. */
// @ts-ignore: decorator
@inline
function rowSum(p: usize, n: i32): f64 {
  let a = f32x4.splat(0), b = f32x4.splat(0);
  const end = <usize>n << 2;
  let i: usize = 0;
  for (; i + 32 <= end; i += 32) {
    a = f32x4.add(a, v128.load(p + i));
    b = f32x4.add(b, v128.load(p + i, 16));
  }
  for (; i + 16 <= end; i += 16) a = f32x4.add(a, v128.load(p + i));
  a = f32x4.add(a, b);
  let s: f64 = <f64>f32x4.extract_lane(a, 0) + <f64>f32x4.extract_lane(a, 1) + <f64>f32x4.extract_lane(a, 2) + <f64>f32x4.extract_lane(a, 3);
  for (; i < end; i += 4) s += <f64>load<f32>(p + i);
  return s;
}

/** Sum of (x - m)^2 over the n floats at p. */
// @ts-ignore: decorator
@inline
function rowSquaredDeviation(p: usize, n: i32, m: f32): f64 {
  const mv = f32x4.splat(m);
  let a = f32x4.splat(0), b = f32x4.splat(0);
  const end = <usize>n << 2;
  let i: usize = 0;
  for (; i + 32 <= end; i += 32) {
    const d0 = f32x4.sub(v128.load(p + i), mv);
    const d1 = f32x4.sub(v128.load(p + i, 16), mv);
    a = f32x4.add(a, f32x4.mul(d0, d0));
    b = f32x4.add(b, f32x4.mul(d1, d1));
  }
  for (; i + 16 <= end; i += 16) {
    const d = f32x4.sub(v128.load(p + i), mv);
    a = f32x4.add(a, f32x4.mul(d, d));
  }
  a = f32x4.add(a, b);
  let s: f64 = <f64>f32x4.extract_lane(a, 0) + <f64>f32x4.extract_lane(a, 1) + <f64>f32x4.extract_lane(a, 2) + <f64>f32x4.extract_lane(a, 3);
  for (; i < end; i += 4) {
    const d = load<f32>(p + i) - m;
    s += <f64>(d * d);
  }
  return s;
}

/**
 * mean[c] and the biased variance var[c] of x [N, C, P] over N and P (N * P >= 1), for the channels
 * [cBegin, cEnd) (threads take disjoint ranges).
 */
export function f32_batchnorm_moments(x: usize, N: i32, C: i32, P: i32, cBegin: i32, cEnd: i32, mean: usize, var_: usize): void {
  const count = <f64>N * <f64>P;
  const row = <usize>P << 2;
  for (let c = cBegin; c < cEnd; c++) {
    let s: f64 = 0;
    for (let n = 0; n < N; n++) s += rowSum(x + (<usize>n * <usize>C + <usize>c) * row, P);
    const m = <f32>(s / count);
    let q: f64 = 0;
    for (let n = 0; n < N; n++) q += rowSquaredDeviation(x + (<usize>n * <usize>C + <usize>c) * row, P, m);
    store<f32>(mean + (<usize>c << 2), m);
    store<f32>(var_ + (<usize>c << 2), <f32>(q / count));
  }
}

// Second result of rowDySums: sum of dy * (x - m).
let dyCentredSum: f64 = 0;

/** Sum of dy over the row; sum of dy * (x - m) left in dyCentredSum. */
// @ts-ignore: decorator
@inline
function rowDySums(x: usize, dy: usize, n: i32, m: f32): f64 {
  const mv = f32x4.splat(m);
  let s = f32x4.splat(0), t = f32x4.splat(0);
  const end = <usize>n << 2;
  let i: usize = 0;
  for (; i + 16 <= end; i += 16) {
    const g = v128.load(dy + i);
    s = f32x4.add(s, g);
    t = f32x4.add(t, f32x4.mul(g, f32x4.sub(v128.load(x + i), mv)));
  }
  let sum: f64 = <f64>f32x4.extract_lane(s, 0) + <f64>f32x4.extract_lane(s, 1) + <f64>f32x4.extract_lane(s, 2) + <f64>f32x4.extract_lane(s, 3);
  let dot: f64 = <f64>f32x4.extract_lane(t, 0) + <f64>f32x4.extract_lane(t, 1) + <f64>f32x4.extract_lane(t, 2) + <f64>f32x4.extract_lane(t, 3);
  for (; i < end; i += 4) {
    const g = load<f32>(dy + i);
    sum += <f64>g;
    dot += <f64>(g * (load<f32>(x + i) - m));
  }
  dyCentredSum = dot;
  return sum;
}

/**
 * Gradients of y = (x - mean) / sqrt(var + eps) * weight + bias with the batch's mean and biased
 * var (as f32_batchnorm_moments left them). weight 0: no affine scale (1). dx, dweight, dbias:
 * outputs, overwritten; any may be 0 to skip it. Channels [cBegin, cEnd) only.
 */
export function f32_batchnorm_backward(
  x: usize, dy: usize, N: i32, C: i32, P: i32, cBegin: i32, cEnd: i32, mean: usize, var_: usize, weight: usize, eps: f32,
  dx: usize, dweight: usize, dbias: usize,
): void {
  const count = <f64>N * <f64>P;
  const row = <usize>P << 2;
  for (let c = cBegin; c < cEnd; c++) {
    const at = <usize>c << 2;
    const m = load<f32>(mean + at);
    const invstd: f32 = <f32>1.0 / sqrt<f32>(load<f32>(var_ + at) + eps);
    let sdy: f64 = 0;
    let sdyx: f64 = 0;
    for (let n = 0; n < N; n++) {
      const off = (<usize>n * <usize>C + <usize>c) * row;
      sdy += rowDySums(x + off, dy + off, P, m);
      sdyx += dyCentredSum;
    }
    // sum dy * xhat
    const sdyxhat = sdyx * <f64>invstd;
    if (dbias != 0) store<f32>(dbias + at, <f32>sdy);
    if (dweight != 0) store<f32>(dweight + at, <f32>sdyxhat);
    if (dx == 0) continue;
    const w: f32 = weight != 0 ? load<f32>(weight + at) : 1;
    // dx = a * (dy - k1 - (x - m) * k2) with a = w invstd, k1 = sum dy / count, k2 = invstd * sum(dy xhat) / count.
    const scale: f32 = w * invstd;
    const k1s = <f32>(sdy / count);
    const k2s = <f32>(sdyxhat * <f64>invstd / count);
    const a = f32x4.splat(scale);
    const k1 = f32x4.splat(k1s);
    const k2 = f32x4.splat(k2s);
    const mv = f32x4.splat(m);
    for (let n = 0; n < N; n++) {
      const off = (<usize>n * <usize>C + <usize>c) * row;
      const xs = x + off, gs = dy + off, ds = dx + off;
      const end = row;
      let i: usize = 0;
      for (; i + 16 <= end; i += 16) {
        const centred = f32x4.sub(v128.load(xs + i), mv);
        const v = f32x4.sub(f32x4.sub(v128.load(gs + i), k1), f32x4.mul(centred, k2));
        v128.store(ds + i, f32x4.mul(a, v));
      }
      for (; i < end; i += 4) {
        const centred = load<f32>(xs + i) - m;
        store<f32>(ds + i, scale * (load<f32>(gs + i) - k1s - centred * k2s));
      }
    }
  }
}
