// Cross-entropy of logits against class labels in one pass each way (log-softmax and the negative
// log-likelihood fused, as PyTorch's cross_entropy does in one kernel). Rows of a [rows, cols]
// matrix; target holds one i32 class per row, or -1 for a row that is ignored.
import { loadTail, storeTail } from '../common/lanes';
import { vexp } from '../common/vmath';
import { logSoftmaxRow } from './f32-log-softmax';

/**
 * logp = log_softmax(x) per row (the bits of f32_log_softmax_rows), loss[r] = -logp[r, target[r]],
 * or 0 for an ignored row.
 */
export function f32_cross_entropy_rows(logp: usize, loss: usize, x: usize, target: usize, rows: i32, cols: i32): void {
  if (rows <= 0 || cols <= 0) return;
  const end = <usize>cols << 2;
  for (let r: usize = 0; r < <usize>rows; r++) {
    const yr = logp + r * end;
    logSoftmaxRow(yr, x + r * end, <usize>cols);
    const t = load<i32>(target + (r << 2));
    store<f32>(loss + (r << 2), t < 0 ? 0 : -load<f32>(yr + (<usize>t << 2)));
  }
}

/**
 * The gradient of each row's loss scaled by c = g[r * gStride] * scale (mean: the loss's gradient
 * over the rows counted; none: one gradient per row): dx = c * (softmax(x) - onehot(target)),
 * computed as f32_log_softmax_rows_backward computes it from NLL's gradient dy = -c at the target
 * (dx = dy - e^logp * sum(dy)). Ignored rows get 0.
 */
export function f32_cross_entropy_rows_backward(dx: usize, logp: usize, target: usize, g: usize, gStride: i32, scale: f32, rows: i32, cols: i32): void {
  if (rows <= 0 || cols <= 0) return;
  const end = <usize>cols << 2;
  for (let r: usize = 0; r < <usize>rows; r++) {
    const xr = dx + r * end;
    const yr = logp + r * end;
    const t = load<i32>(target + (r << 2));
    if (t < 0) {
      memory.fill(xr, 0, end);
      continue;
    }
    const dyt = -(load<f32>(g + ((r * <usize>gStride) << 2)) * scale);
    const s = f32x4.splat(dyt);
    const tAt = <usize>t << 2;
    let i: usize = 0;
    for (; i + 16 <= end; i += 16) {
      const dy = i <= tAt && tAt < i + 16 ? oneLane(dyt, (tAt - i) >> 2) : f32x4.splat(0);
      v128.store(xr + i, f32x4.sub(dy, f32x4.mul(vexp(v128.load(yr + i)), s)));
    }
    if (i < end) {
      const rest = (end - i) >> 2;
      const dy = tAt >= i ? oneLane(dyt, (tAt - i) >> 2) : f32x4.splat(0);
      storeTail(xr + i, f32x4.sub(dy, f32x4.mul(vexp(loadTail(yr + i, rest, 0)), s)), rest);
    }
  }
}

/** A vector of zeros with v in lane `lane` (0-3). */
// @ts-ignore: decorator
@inline
function oneLane(v: f32, lane: usize): v128 {
  const z = f32x4.splat(0);
  if (lane == 0) return f32x4.replace_lane(z, 0, v);
  if (lane == 1) return f32x4.replace_lane(z, 1, v);
  if (lane == 2) return f32x4.replace_lane(z, 2, v);
  return f32x4.replace_lane(z, 3, v);
}
