// Copies: contiguous (memory.copy, overlap-safe) and through element strides of any rank.
import { storeTransposed4x4 } from '../common/lanes';

/** dst[i] = src[i] for i < n; the ranges may overlap. */
export function f32_copy(dst: usize, src: usize, n: i32): void {
  if (n <= 0 || dst == src) return;
  memory.copy(dst, src, <usize>n << 2);
}

/**
 * dst[idx . dstStrides] = src[idx . srcStrides] over every index of `shape`. `meta` holds 4 * rank
 * i32s: shape, dst strides, src strides (elements; src strides may be 0 or negative), and scratch for
 * the loop counters. The innermost dim runs as memory.copy when both strides are 1, as a splat when
 * the source stride is 0, else element by element; when the two innermost dims swap which side is
 * contiguous (a batched transpose) they run through the blocked 4x4 transpose instead.
 */
export function f32_copy_strided(dst: usize, src: usize, rank: i32, meta: usize): void {
  if (rank <= 0) return;
  const rk = <usize>rank;
  const shp = meta;
  const dst_ = meta + (rk << 2);
  const sst = meta + (rk << 3);
  const cnt = meta + rk * 12;
  const last = (rk - 1) << 2;
  const n = <usize>load<i32>(shp + last);
  const ds = <isize>load<i32>(dst_ + last) << 2;
  const ss = <isize>load<i32>(sst + last) << 2;
  // Batched transpose: dst contiguous along the last dim, src contiguous along the one before.
  let tiled = false;
  let n2: usize = 1;
  let ds2: isize = 0;
  if (rk >= 2 && ds == 4 && ss > 4) {
    const p = last - 4;
    ds2 = <isize>load<i32>(dst_ + p) << 2;
    tiled = load<i32>(sst + p) == 1 && ds2 > 0;
    n2 = <usize>load<i32>(shp + p);
  }
  const od = tiled ? rk - 2 : rk - 1; // dims walked by the odometer
  let outer: usize = 1;
  for (let d: usize = 0; d < od; d++) {
    outer *= <usize>load<i32>(shp + (d << 2));
    store<i32>(cnt + (d << 2), 0);
  }
  if (n == 0 || outer == 0 || n2 == 0) return;
  let o: usize = 0;
  while (true) {
    if (tiled) {
      // src is [n rows, n2 cols] with row stride ss; dst is [n2 rows, n cols] with row stride ds2.
      transposeBlocked(dst, <usize>ds2, src, <usize>ss, n, n2);
    } else if (ds == 4 && ss == 4) {
      memory.copy(dst, src, n << 2);
    } else if (ds == 4 && ss == 0) {
      const v = load<f32>(src);
      const vv = f32x4.splat(v);
      const end = n << 2;
      let i: usize = 0;
      for (; i + 16 <= end; i += 16) v128.store(dst + i, vv);
      for (; i < end; i += 4) store<f32>(dst + i, v);
    } else {
      let d = dst;
      let s = src;
      let i: usize = 0;
      for (; i + 4 <= n; i += 4) {
        const a = load<f32>(s);
        const b = load<f32>(s + ss);
        const c = load<f32>(s + ss * 2);
        const e = load<f32>(s + ss * 3);
        store<f32>(d, a);
        store<f32>(d + ds, b);
        store<f32>(d + ds * 2, c);
        store<f32>(d + ds * 3, e);
        s += ss * 4;
        d += ds * 4;
      }
      for (; i < n; i++) {
        store<f32>(d, load<f32>(s));
        s += ss;
        d += ds;
      }
    }
    if (++o == outer) break;
    for (let k = <isize>od - 1; k >= 0; k--) {
      const p = <usize>k << 2;
      const c = load<i32>(cnt + p) + 1;
      const sz = load<i32>(shp + p);
      const dd = <isize>load<i32>(dst_ + p) << 2;
      const sd = <isize>load<i32>(sst + p) << 2;
      if (c < sz) {
        store<i32>(cnt + p, c);
        dst += dd;
        src += sd;
        break;
      }
      store<i32>(cnt + p, 0);
      dst -= dd * <isize>(sz - 1);
      src -= sd * <isize>(sz - 1);
    }
  }
}

// @ts-ignore: decorator
@inline
function transpose4x4(dst: usize, src: usize, rs: usize, ds: usize): void {
  storeTransposed4x4(v128.load(src), v128.load(src + rs), v128.load(src + rs * 2), v128.load(src + rs * 3), dst, ds);
}

const TILE: usize = 32;

/**
 * dst[j, i] = src[i, j] for i < m, j < n; rs and ds are the row strides of src and dst in bytes.
 * 32x32 tiles of 4x4 SIMD transposes (row strides that are multiples of 4 KiB still suffer L1 set
 * conflicts, about 4x slower than other shapes), edges element by element.
 */
// @ts-ignore: decorator
@inline
function transposeBlocked(dst: usize, ds: usize, src: usize, rs: usize, m: usize, n: usize): void {
  const m4 = m & ~3;
  const n4 = n & ~3;
  for (let ib: usize = 0; ib < m4; ib += TILE) {
    const ie = min<usize>(ib + TILE, m4);
    for (let jb: usize = 0; jb < n4; jb += TILE) {
      const je = min<usize>(jb + TILE, n4);
      for (let i = ib; i < ie; i += 4) {
        for (let j = jb; j < je; j += 4) {
          transpose4x4(dst + j * ds + (i << 2), src + i * rs + (j << 2), rs, ds);
        }
      }
    }
    // Columns past the last multiple of 4 for these rows.
    for (let i = ib; i < ie; i++) {
      for (let j = n4; j < n; j++) store<f32>(dst + j * ds + (i << 2), load<f32>(src + i * rs + (j << 2)));
    }
  }
  // Rows past the last multiple of 4.
  for (let i = m4; i < m; i++) {
    for (let j: usize = 0; j < n; j++) store<f32>(dst + j * ds + (i << 2), load<f32>(src + i * rs + (j << 2)));
  }
}

/** dst [cols, rows] = transpose of src [rows, cols] (both contiguous). dst must not overlap src. */
export function f32_transpose2d(dst: usize, src: usize, rows: i32, cols: i32): void {
  if (rows <= 0 || cols <= 0) return;
  transposeBlocked(dst, <usize>rows << 2, src, <usize>cols << 2, <usize>rows, <usize>cols);
}

/**
 * dst[j, i] = src[i, j] for rows i < rows and columns j < cols, with row strides lds (src) and ldd
 * (dst) in floats: a block of a larger transpose (threads take ranges of src rows).
 */
export function f32_transpose2d_strided(dst: usize, ldd: i32, src: usize, lds: i32, rows: i32, cols: i32): void {
  if (rows <= 0 || cols <= 0) return;
  transposeBlocked(dst, <usize>ldd << 2, src, <usize>lds << 2, <usize>rows, <usize>cols);
}

/**
 * For images n < count: dst[n] [cols, rows] = transpose of src[n] [rows, cols] (+ bias[j] on row j
 * of dst when bias is not 0): the pixels-major convolution's [pixels, channels] result into NCHW with
 * its bias, one call per thread's run of images. The bias is added after the copy: acc + b, the same
 * single rounding as a tile accumulating onto a preset bias.
 */
export function f32_transpose2d_bias_batch(dst: usize, src: usize, count: i32, rows: i32, cols: i32, bias: usize): void {
  if (rows <= 0 || cols <= 0) return;
  const image = <usize>(rows * cols) << 2;
  for (let n = 0; n < count; n++) {
    const d = dst + <usize>n * image;
    transposeBlocked(d, <usize>rows << 2, src + <usize>n * image, <usize>cols << 2, <usize>rows, <usize>cols);
    if (bias == 0) continue;
    for (let j = 0; j < cols; j++) {
      const b = load<f32>(bias + (<usize>j << 2));
      const v = f32x4.splat(b);
      const row = d + (<usize>(j * rows) << 2);
      let i = 0;
      for (; i + 4 <= rows; i += 4) v128.store(row + (<usize>i << 2), f32x4.add(v128.load(row + (<usize>i << 2)), v));
      for (; i < rows; i++) store<f32>(row + (<usize>i << 2), load<f32>(row + (<usize>i << 2)) + b);
    }
  }
}
