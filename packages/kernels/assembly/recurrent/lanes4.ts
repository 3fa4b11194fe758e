// Row-wise lane access for the recurrent cells: a hidden size need not be a multiple of 4, so the last
// group of a row goes through the same vector code with 1..3 live lanes (bit-identical results).
import { loadTail, storeTail } from '../common/lanes';

// @ts-ignore: decorator
@inline
export function ld(p: usize, r: usize): v128 {
  return r == 4 ? v128.load(p) : loadTail(p, r, 0);
}

// @ts-ignore: decorator
@inline
export function st(p: usize, v: v128, r: usize): void {
  if (r == 4) v128.store(p, v);
  else storeTail(p, v, r);
}

/** The mask value of batch row b (1 when there is no mask). */
// @ts-ignore: decorator
@inline
export function rowMask(mask: usize, b: i32): f32 {
  return mask == 0 ? 1.0 : load<f32>(mask + (<usize>b << 2));
}

/** Copies n floats (a masked row carries its state through a padded step). */
// @ts-ignore: decorator
@inline
export function copyRow(dst: usize, src: usize, n: i32): void {
  if (dst != src) memory.copy(dst, src, <usize>n << 2);
}
