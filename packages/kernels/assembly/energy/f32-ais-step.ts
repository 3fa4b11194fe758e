// The two half-steps of annealed importance sampling on a binary RBM (nn's annealedImportanceSampling),
// each one call instead of the six to eight elementwise ops, reductions and samplers it took before.
// Both sample with MODE_BERNOULLI_SIGMOID of random/philox.ts on the flattened rows, so a call over rows
// [r0, r1) whose first element r0 cols is a multiple of 16, started at block b0 + 4 (r0 cols / 16), gives
// the samples of the whole call (the binding splits threads that way).
import { loadTail, hsum } from '../common/lanes';
import { vexp, vlog } from '../common/vmath';
import { MODE_BERNOULLI_SIGMOID, philoxGroups } from '../random/philox';

// @ts-ignore: decorator
@inline
function softplus(y: v128): v128 {
  const e = vexp(f32x4.neg(f32x4.abs(y)));
  return f32x4.add(f32x4.max(y, f32x4.splat(0)), vlog(f32x4.add(e, f32x4.splat(1.0))));
}

// @ts-ignore: decorator
@inline
function softplusStep(x: v128, b1: v128, b2: v128): v128 {
  return f32x4.sub(softplus(f32x4.mul(b2, x)), softplus(f32x4.mul(b1, x)));
}

/**
 * Hidden half-step at inverse temperatures beta1 -> beta2, x [rows, cols] = W v + c, v [rows, vcols]:
 * inc[r] = (beta2 - beta1) (v[r] . d) + sum_j (softplus(beta2 x[r, j]) - softplus(beta1 x[r, j]))
 * (the log-weight increment, d = b - bA), then out = 1 with probability sigmoid(beta2 x), elementwise.
 * Each row's sums run in one vector accumulator per 4-column lane, tails masked to 0.
 */
export function f32_ais_hidden(x: usize, v: usize, d: usize, inc: usize, out: usize, rows: i32, cols: i32, vcols: i32, beta1: f32, beta2: f32, k0: u32, k1: u32, b0: u32): void {
  const vb1 = f32x4.splat(beta1), vb2 = f32x4.splat(beta2);
  const lanes = i32x4(0, 1, 2, 3);
  for (let r = 0; r < rows; r++) {
    const row = x + ((<usize>r * <usize>cols) << 2);
    let acc = f32x4.splat(0);
    let j = 0;
    for (; j + 4 <= cols; j += 4) acc = f32x4.add(acc, softplusStep(v128.load(row + (<usize>j << 2)), vb1, vb2));
    if (j < cols) {
      const keep = i32x4.lt_s(lanes, i32x4.splat(cols - j));
      acc = f32x4.add(acc, v128.and(softplusStep(loadTail(row + (<usize>j << 2), <usize>(cols - j), 0), vb1, vb2), keep));
    }
    const vrow = v + ((<usize>r * <usize>vcols) << 2);
    let dot = f32x4.splat(0);
    let i = 0;
    for (; i + 4 <= vcols; i += 4) dot = f32x4.add(dot, f32x4.mul(v128.load(vrow + (<usize>i << 2)), v128.load(d + (<usize>i << 2))));
    if (i < vcols) {
      const r4 = <usize>(vcols - i);
      dot = f32x4.add(dot, f32x4.mul(loadTail(vrow + (<usize>i << 2), r4, 0), loadTail(d + (<usize>i << 2), r4, 0)));
    }
    store<f32>(inc + (<usize>r << 2), (beta2 - beta1) * hsum(dot) + hsum(acc));
  }
  philoxGroups(MODE_BERNOULLI_SIGMOID, x, 0, out, rows * cols, beta2, k0, k1, b0);
}

/**
 * Visible half-step of binary units at inverse temperature beta, y [rows, cols] = h W: the logits
 * y <- (y + d) beta + a in place (d = b - bA, a = bA: (1 - beta) bA + beta (b + W^T h), rounded as the
 * separate add, scale and add ops round it), then out = 1 with probability sigmoid(y), elementwise.
 */
export function f32_ais_visible(y: usize, d: usize, a: usize, out: usize, rows: i32, cols: i32, beta: f32, k0: u32, k1: u32, b0: u32): void {
  const vb = f32x4.splat(beta);
  for (let r = 0; r < rows; r++) {
    const row = y + ((<usize>r * <usize>cols) << 2);
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const o = <usize>j << 2;
      v128.store(row + o, f32x4.add(f32x4.mul(f32x4.add(v128.load(row + o), v128.load(d + o)), vb), v128.load(a + o)));
    }
    for (; j < cols; j++) {
      const o = <usize>j << 2;
      store<f32>(row + o, (load<f32>(row + o) + load<f32>(d + o)) * beta + load<f32>(a + o));
    }
  }
  philoxGroups(MODE_BERNOULLI_SIGMOID, y, 0, out, rows * cols, 1.0, k0, k1, b0);
}
