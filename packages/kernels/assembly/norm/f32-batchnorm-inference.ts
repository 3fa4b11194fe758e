// Batch normalisation with fixed statistics (a network in eval mode), fused into one pass:
//   y[n, c, p] = x[n, c, p] * s[c] + t[c],   s = weight / sqrt(var + eps),   t = bias - mean * s.
// s and t are formed per channel in f32 with the operations, in the order, of the layer's composite
// form (so the plain build gives its bits); the activations are then read and written once instead
// of twice, with no per-channel temporaries.
import { madd } from '../common/madd';
import { loadTail, storeTail } from '../common/lanes';

/**
 * x, y [N, C, P] (y may be x). mean, var [C]; weight, bias [C] or 0 for none (affine = False).
 */
export function f32_batchnorm_inference(
  y: usize, x: usize, N: i32, C: i32, P: i32, mean: usize, var_: usize, weight: usize, bias: usize, eps: f32,
): void {
  const row = <usize>P << 2;
  for (let c = 0; c < C; c++) {
    const at = <usize>c << 2;
    let s: f32 = <f32>1.0 / sqrt<f32>(load<f32>(var_ + at) + eps);
    if (weight != 0) s *= load<f32>(weight + at);
    let t: f32 = -(load<f32>(mean + at) * s);
    if (bias != 0) t += load<f32>(bias + at);
    const sv = f32x4.splat(s);
    const tv = f32x4.splat(t);
    for (let n = 0; n < N; n++) {
      const off = (<usize>n * <usize>C + <usize>c) * row;
      const src = x + off;
      const dst = y + off;
      let i: usize = 0;
      for (; i + 32 <= row; i += 32) {
        const a = v128.load(src + i);
        const b = v128.load(src + i, 16);
        v128.store(dst + i, madd(a, sv, tv));
        v128.store(dst + i, madd(b, sv, tv), 16);
      }
      for (; i + 16 <= row; i += 16) v128.store(dst + i, madd(v128.load(src + i), sv, tv));
      if (i < row) {
        const r = (row - i) >> 2;
        storeTail(dst + i, madd(loadTail(src + i, r, 0), sv, tv), r);
      }
    }
  }
}
