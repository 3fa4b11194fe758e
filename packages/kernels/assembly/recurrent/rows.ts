// Row addressing for the loops over time (f32-*-sequence.ts): the byte address of row `row` of a
// row-major f32 matrix `width` floats wide at `base`.

// @ts-ignore: decorator
@inline
export function at(base: usize, row: i32, width: i32): usize {
  return base + ((<usize>row * <usize>width) << 2);
}
