// Loop drivers shared by the elementwise kernels: 8 floats per iteration, then one v128, then a
// 1..3 element tail through the same vector code. In-place use (output == input) is fine; partial
// overlap is not.
import { loadTail, storeTail } from '../common/lanes';
import { unaryBackward, unaryForward } from './unary-ops';

// @ts-ignore: decorator
@inline
export function mapUnary(op: i32, y: usize, x: usize, n: i32, alpha: f32): void {
  if (n <= 0) return;
  const a = f32x4.splat(alpha);
  const end = <usize>n << 2;
  let i: usize = 0;
  for (; i + 32 <= end; i += 32) {
    const v0 = v128.load(x + i);
    const v1 = v128.load(x + i, 16);
    v128.store(y + i, unaryForward(op, v0, a));
    v128.store(y + i, unaryForward(op, v1, a), 16);
  }
  if (i + 16 <= end) {
    v128.store(y + i, unaryForward(op, v128.load(x + i), a));
    i += 16;
  }
  if (i < end) {
    const r = (end - i) >> 2;
    storeTail(y + i, unaryForward(op, loadTail(x + i, r, 1), a), r);
  }
}

// @ts-ignore: decorator
@inline
export function mapUnaryBackward(op: i32, dx: usize, dy: usize, x: usize, y: usize, n: i32, alpha: f32): void {
  if (n <= 0) return;
  const a = f32x4.splat(alpha);
  const end = <usize>n << 2;
  let i: usize = 0;
  for (; i + 16 <= end; i += 16) {
    v128.store(dx + i, unaryBackward(op, v128.load(dy + i), v128.load(x + i), v128.load(y + i), a));
  }
  if (i < end) {
    const r = (end - i) >> 2;
    const g = unaryBackward(op, loadTail(dy + i, r, 0), loadTail(x + i, r, 1), loadTail(y + i, r, 1), a);
    storeTail(dx + i, g, r);
  }
}
