// The zero-padded rows a Winograd input transform reads its patches from (F(2x2) and F(4x4)).

/**
 * Writes rows ih0 .. ih0 + rows - 1 of one H x W channel plane at src into `rows` rows of wp floats
 * at dst: each image row's pixels start at column padW (columns before and after are zero), and rows
 * outside the image are all zeros.
 */
// @ts-ignore: decorator
@inline
export function paddedRows(dst: usize, wp: i32, src: usize, H: i32, W: i32, ih0: i32, rows: i32, padW: i32): void {
  const wpb = <usize>wp << 2;
  // Columns of a row that hold image pixels: p = iw + padW for 0 <= iw < W.
  const p0 = max(0, padW);
  const p1 = min(wp, W + padW);
  for (let r = 0; r < rows; r++) {
    const row = dst + <usize>r * wpb;
    const ih = ih0 + r;
    if (ih < 0 || ih >= H || p1 <= p0) {
      memory.fill(row, 0, wpb);
      continue;
    }
    if (p0 > 0) memory.fill(row, 0, <usize>p0 << 2);
    memory.copy(row + (<usize>p0 << 2), src + (<usize>(ih * W + p0 - padW) << 2), <usize>(p1 - p0) << 2);
    if (p1 < wp) memory.fill(row + (<usize>p1 << 2), 0, <usize>(wp - p1) << 2);
  }
}
