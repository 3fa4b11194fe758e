// Inverted dropout from uniforms: out[i] = u[i] < p ? 0 : scale * v[i] (v = 1 when v is 0), the mask
// of a dense dropout or the dropped-out stored values of a sparse matrix, from the uniforms the Philox
// kernels draw (out may alias u). Pure; four lanes at a time.
import { loadTail, storeTail } from '../common/lanes';

export function f32_dropout_values(out: usize, u: usize, v: usize, n: i32, p: f32, scale: f32): void {
  if (n <= 0) return;
  const vp = f32x4.splat(p);
  const vs = f32x4.splat(scale);
  const zero = f32x4.splat(0);
  const end = <usize>n << 2;
  let i: usize = 0;
  for (; i + 16 <= end; i += 16) {
    const keep = f32x4.ge(v128.load(u + i), vp);
    const x = v == 0 ? vs : f32x4.mul(v128.load(v + i), vs);
    v128.store(out + i, v128.bitselect(x, zero, keep));
  }
  if (i < end) {
    const r = (end - i) >> 2;
    const keep = f32x4.ge(loadTail(u + i, r, 0), vp);
    const x = v == 0 ? vs : f32x4.mul(loadTail(v + i, r, 0), vs);
    storeTail(out + i, v128.bitselect(x, zero, keep), r);
  }
}
