// Batch normalisation with fixed statistics (a network in eval mode), fused into one pass:
//   y[n, c, p] = x[n, c, p] * s[c] + t[c],   s = weight / sqrt(var + eps),   t = bias - mean * s.
// s and t are formed per channel in f32 with the operations, in the order, of the layer's composite
// form (so the plain build gives its bits); the activations are then read and written once instead
// of twice, with no per-channel temporaries.
import { scaleShift } from '../elementwise/f32-vaffine';

// @ts-ignore: decorator
@inline
function channelScale(at: usize, var_: usize, weight: usize, eps: f32): f32 {
  let s: f32 = <f32>1.0 / sqrt<f32>(load<f32>(var_ + at) + eps);
  if (weight != 0) s *= load<f32>(weight + at);
  return s;
}

// @ts-ignore: decorator
@inline
function channelShift(at: usize, mean: usize, bias: usize, s: f32): f32 {
  let t: f32 = -(load<f32>(mean + at) * s);
  if (bias != 0) t += load<f32>(bias + at);
  return t;
}

/**
 * The per-channel s and t above, into C floats each (for epilogues that apply them after a
 * convolution: f32_gemm_4x8_channel_affine, f32_channel_affine_act).
 */
export function f32_batchnorm_scale_shift(C: i32, mean: usize, var_: usize, weight: usize, bias: usize, eps: f32, s: usize, t: usize): void {
  for (let c = 0; c < C; c++) {
    const at = <usize>c << 2;
    const sc = channelScale(at, var_, weight, eps);
    store<f32>(s + at, sc);
    store<f32>(t + at, channelShift(at, mean, bias, sc));
  }
}

/**
 * x, y [N, C, P] (y may be x). mean, var [C]; weight, bias [C] or 0 for none (affine = False).
 */
export function f32_batchnorm_inference(
  y: usize, x: usize, N: i32, C: i32, P: i32, mean: usize, var_: usize, weight: usize, bias: usize, eps: f32,
): void {
  if (P <= 0) return;
  const row = <usize>P << 2;
  for (let c = 0; c < C; c++) {
    const at = <usize>c << 2;
    const s = channelScale(at, var_, weight, eps);
    const sv = f32x4.splat(s);
    const tv = f32x4.splat(channelShift(at, mean, bias, s));
    for (let n = 0; n < N; n++) {
      const off = (<usize>n * <usize>C + <usize>c) * row;
      scaleShift(y + off, x + off, P, sv, tv);
    }
  }
}
