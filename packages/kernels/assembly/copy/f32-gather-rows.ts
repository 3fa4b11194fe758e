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

/**
 * dtable[r, :] += dout[pos[e], :] for the entries e of each row r of a CSR index (rowptr: rows + 1
 * i32s, pos: the positions i with idx[i] = r, increasing): the scatter-add above grouped by
 * destination row, so that rows can be split over threads. Each element receives the same additions
 * in the same order as f32_scatter_add_rows gives it, so the bits are the same.
 */
export function f32_scatter_add_csr(dtable: usize, dout: usize, rowptr: usize, pos: usize, rows: i32, dim: i32): void {
  const row = <usize>dim << 2;
  const vecEnd = row & ~(<usize>15);
  for (let r: usize = 0; r < <usize>rows; r++) {
    const e0 = <usize>load<i32>(rowptr + (r << 2));
    const e1 = <usize>load<i32>(rowptr + (r << 2), 4);
    if (e1 <= e0) continue;
    const dst = dtable + r * row;
    let j: usize = 0;
    for (; j < vecEnd; j += 16) {
      let acc = v128.load(dst + j);
      for (let e = e0; e < e1; e++) acc = f32x4.add(acc, v128.load(dout + <usize>load<i32>(pos + (e << 2)) * row + j));
      v128.store(dst + j, acc);
    }
    for (; j < row; j += 4) {
      let acc = load<f32>(dst + j);
      for (let e = e0; e < e1; e++) acc += load<f32>(dout + <usize>load<i32>(pos + (e << 2)) * row + j);
      store<f32>(dst + j, acc);
    }
  }
}
