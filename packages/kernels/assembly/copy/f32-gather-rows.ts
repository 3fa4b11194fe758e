// Row gather and scatter-add by an i32 index list: the forward and backward of an embedding lookup.
// Indices are validated by the caller (the binding), so the kernels do no bounds checks.

/** out[i, :] = table[idx[i], :] for i < n; rows hold dim floats. */
export function f32_gather_rows(out: usize, table: usize, idx: usize, n: i32, dim: i32): void {
  const row = <usize>dim << 2;
  for (let i = 0; i < n; i++) {
    const k = <usize>load<i32>(idx + (<usize>i << 2));
    memory.copy(out + <usize>i * row, table + k * row, row);
  }
}

/** dtable[idx[i], :] += dout[i, :] for i < n (repeated indices accumulate). */
export function f32_scatter_add_rows(dtable: usize, dout: usize, idx: usize, n: i32, dim: i32): void {
  const row = <usize>dim << 2;
  const vecEnd = row & ~(<usize>15);
  for (let i = 0; i < n; i++) {
    const dst = dtable + <usize>load<i32>(idx + (<usize>i << 2)) * row;
    const src = dout + <usize>i * row;
    let j: usize = 0;
    for (; j < vecEnd; j += 16) v128.store(dst + j, f32x4.add(v128.load(dst + j), v128.load(src + j)));
    for (; j < row; j += 4) store<f32>(dst + j, load<f32>(dst + j) + load<f32>(src + j));
  }
}
