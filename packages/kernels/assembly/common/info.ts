/** First byte the JS arena may hand out: everything below belongs to static data. */
export function heap_base(): usize {
  return (__heap_base + 63) & ~63;
}

/** 1 in the relaxed-SIMD build, 0 in the plain SIMD128 build. */
export function isa_relaxed(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 1 : 0;
}
