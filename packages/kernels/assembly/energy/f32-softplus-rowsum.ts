// Row sums of softplus, the free-energy term of every binary hidden unit: out[r] = sum_j softplus(beta x[r, j]),
// softplus(y) = max(y, 0) + log(1 + e^-|y|) so neither tail overflows. One pass over x instead of the six
// elementwise ops and a reduction it would take otherwise (RBM free energies, exact log Z, AIS weights).
// One vector accumulator per row, lanes summed in a fixed order; the 1-3 tail elements go through the
// same vector code with the missing lanes masked to 0.
import { loadTail, hsum } from '../common/lanes';
import { vexp, vlog } from '../common/vmath';

// @ts-ignore: decorator
@inline
function softplus(y: v128): v128 {
  const e = vexp(f32x4.neg(f32x4.abs(y)));
  return f32x4.add(f32x4.max(y, f32x4.splat(0)), vlog(f32x4.add(e, f32x4.splat(1.0))));
}

export function f32_softplus_rowsum(x: usize, out: usize, rows: i32, cols: i32, beta: f32): void {
  const vb = f32x4.splat(beta);
  for (let r = 0; r < rows; r++) {
    const row = x + ((<usize>r * <usize>cols) << 2);
    let acc = f32x4.splat(0);
    let j = 0;
    for (; j + 4 <= cols; j += 4) acc = f32x4.add(acc, softplus(f32x4.mul(vb, v128.load(row + (<usize>j << 2)))));
    if (j < cols) {
      const keep = i32x4.lt_s(i32x4(0, 1, 2, 3), i32x4.splat(cols - j));
      acc = f32x4.add(acc, v128.and(softplus(f32x4.mul(vb, loadTail(row + (<usize>j << 2), <usize>(cols - j), 0))), keep));
    }
    store<f32>(out + (<usize>r << 2), hsum(acc));
  }
}
