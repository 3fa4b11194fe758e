// Binary cross-entropy with logits, elementwise, in one pass each way (a VAE's reconstruction term
// over every pixel of the batch; composed of single ops it took 9 passes forward and 3 backward):
//   loss = max(x, 0) - x t + log(1 + exp(-|x|))      (PyTorch's stable form)
//   dx   = dy (sigmoid(x) - t)
// The same vector operations in the same order as the composed ops, so the results are bit-identical.
import { loadTail, storeTail } from '../common/lanes';
import { vexp, vlog, vsigmoid } from '../common/vmath';

// @ts-ignore: decorator
@inline
function bce(x: v128, t: v128): v128 {
  const zero = f32x4.splat(0);
  const relu = v128.bitselect(zero, x, f32x4.lt(x, zero));
  return f32x4.add(f32x4.sub(relu, f32x4.mul(x, t)), vlog(f32x4.add(vexp(f32x4.neg(f32x4.abs(x))), f32x4.splat(1))));
}

/** loss[i] = max(x, 0) - x t + log(1 + exp(-|x|)) for x = logits[i], t = target[i], i < n. */
export function f32_bce_logits(loss: usize, logits: usize, target: usize, n: i32): void {
  if (n <= 0) return;
  const end = <usize>n << 2;
  let i: usize = 0;
  for (; i + 16 <= end; i += 16) v128.store(loss + i, bce(v128.load(logits + i), v128.load(target + i)));
  if (i < end) {
    const r = (end - i) >> 2;
    storeTail(loss + i, bce(loadTail(logits + i, r, 0), loadTail(target + i, r, 0)), r);
  }
}

/** dx[i] = dy[i] (sigmoid(logits[i]) - target[i]) for i < n; dx may be dy. */
export function f32_bce_logits_backward(dx: usize, dy: usize, logits: usize, target: usize, n: i32): void {
  if (n <= 0) return;
  const end = <usize>n << 2;
  let i: usize = 0;
  for (; i + 16 <= end; i += 16) {
    v128.store(dx + i, f32x4.mul(f32x4.sub(vsigmoid(v128.load(logits + i)), v128.load(target + i)), v128.load(dy + i)));
  }
  if (i < end) {
    const r = (end - i) >> 2;
    storeTail(dx + i, f32x4.mul(f32x4.sub(vsigmoid(loadTail(logits + i, r, 0)), loadTail(target + i, r, 0)), loadTail(dy + i, r, 0)), r);
  }
}
