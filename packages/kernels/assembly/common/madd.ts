// The only place that knows about relaxed SIMD. The relaxed build fuses multiply and add
// (one rounding, engine-dependent); the plain build is bit-reproducible everywhere.
// @ts-ignore: decorator
@inline
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    return f32x4.relaxed_madd(a, b, c);
  } else {
    return f32x4.add(f32x4.mul(a, b), c);
  }
}
