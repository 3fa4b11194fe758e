// Bias gradients summed inside a loop over time: each group of 4 batch rows (the row tile the threads'
// ranges are cut at) keeps its own partial sum of the gate gradients over all steps, so the order of
// every sum depends on the batch geometry only, never on which thread ran the group; the caller adds
// the groups' partials in group order afterwards (a reduction over ceil(B / 4) rows).

/**
 * parts[g] += rows 4g.. of one step's gradients, for the rows [b0, b1) (b0 a multiple of 4): row by
 * row in order, ((part + r0) + r1) + ..., four floats at a time (width is 4 * hidden: a multiple of 4).
 * rows points at row b0 of the step's [B, width] gradients; parts at group b0 / 4 of [ceil(B/4), width].
 */
export function addGroupSums(rows: usize, parts: usize, b0: i32, b1: i32, width: i32): void {
  const rowBytes = <usize>width << 2;
  let src = rows;
  let part = parts;
  for (let g = b0; g < b1; g += 4) {
    const n = min(4, b1 - g);
    for (let j: usize = 0; j < rowBytes; j += 16) {
      let acc = v128.load(part + j);
      for (let r = 0; r < n; r++) acc = f32x4.add(acc, v128.load(src + <usize>r * rowBytes + j));
      v128.store(part + j, acc);
    }
    src += <usize>n * rowBytes;
    part += rowBytes;
  }
}

/** Zeroes the partials of the groups of rows [b0, b1) (parts at group b0 / 4). */
export function clearGroupSums(parts: usize, b0: i32, b1: i32, width: i32): void {
  memory.fill(parts, 0, (<usize>((b1 - b0 + 3) >> 2) * <usize>width) << 2);
}
