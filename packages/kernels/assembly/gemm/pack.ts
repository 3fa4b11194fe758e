// Packing: copies a block of op(A) / op(B) into the layout the micro-tile streams through.
// A block -> row panels of MR = 4: for each k, the 4 rows' values side by side (rows past M are 0).
// B block -> column panels of NR = 8: for each k, the 8 columns' values side by side (cols past N are 0).
// Zero padding lets the micro-tile run full tiles on the edges; the store clips the result.
import { storeTransposed4x4 } from '../common/lanes';

/** Four floats of row r at column offset o, or zeros for a row past the edge. */
// @ts-ignore: decorator
@inline
function rowVec(src: usize, rowBytes: usize, r: i32, rows: i32, o: usize): v128 {
  return r < rows ? v128.load(src + <usize>r * rowBytes + o) : f32x4.splat(0);
}

/** Packs rows [i0, i0+mc) x cols [p0, p0+kc) of op(A) into `dst`. */
export function packA(
  transA: bool, a: usize, lda: usize, i0: i32, mc: i32, p0: i32, kc: i32, dst: usize,
): void {
  for (let ir = 0; ir < mc; ir += 4) {
    const rows = min(4, mc - ir);
    const panel = dst + <usize>(ir * kc) * 4;
    if (transA) {
      // op(A)[i, p] = A[p, i]: the 4 rows of a panel are 4 consecutive floats of A's row p.
      for (let p = 0; p < kc; p++) {
        const src = a + (<usize>(p0 + p) * lda + <usize>(i0 + ir)) * 4;
        const out = panel + <usize>p * 16;
        if (rows == 4) {
          v128.store(out, v128.load(src));
        } else {
          for (let r = 0; r < 4; r++) store<f32>(out + <usize>r * 4, r < rows ? load<f32>(src + <usize>r * 4) : 0);
        }
      }
    } else {
      // Four rows, four columns at a time: a 4x4 transpose turns them into four k-steps of the panel.
      const src = a + (<usize>(i0 + ir) * lda + <usize>p0) * 4;
      const rowBytes = lda * 4;
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        const o = <usize>p * 4;
        storeTransposed4x4(rowVec(src, rowBytes, 0, rows, o), rowVec(src, rowBytes, 1, rows, o), rowVec(src, rowBytes, 2, rows, o), rowVec(src, rowBytes, 3, rows, o), panel + <usize>p * 16, 16);
      }
      for (; p < kc; p++) {
        for (let r = 0; r < 4; r++) store<f32>(panel + <usize>p * 16 + <usize>r * 4, r < rows ? load<f32>(src + <usize>r * rowBytes + <usize>p * 4) : 0);
      }
    }
  }
}

/** Packs rows [p0, p0+kc) x cols [j0, j0+nc) of op(B) into `dst`. */
export function packB(
  transB: bool, b: usize, ldb: usize, p0: i32, kc: i32, j0: i32, nc: i32, dst: usize,
): void {
  for (let jr = 0; jr < nc; jr += 8) {
    const cols = min(8, nc - jr);
    const panel = dst + <usize>(jr * kc) * 4;
    if (!transB) {
      // op(B)[p, j] = B[p, j]: a panel row is 8 consecutive floats of B's row p.
      for (let p = 0; p < kc; p++) {
        const src = b + (<usize>(p0 + p) * ldb + <usize>(j0 + jr)) * 4;
        const out = panel + <usize>p * 32;
        if (cols == 8) {
          v128.store(out, v128.load(src));
          v128.store(out, v128.load(src, 16), 16);
        } else {
          for (let c = 0; c < 8; c++) store<f32>(out + <usize>c * 4, c < cols ? load<f32>(src + <usize>c * 4) : 0);
        }
      }
    } else {
      // op(B)[p, j] = B[j, p]: eight source rows, four k at a time, as two 4x4 transposes.
      const src = b + (<usize>(j0 + jr) * ldb + <usize>p0) * 4;
      const rowBytes = ldb * 4;
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        const o = <usize>p * 4;
        const out = panel + <usize>p * 32;
        storeTransposed4x4(rowVec(src, rowBytes, 0, cols, o), rowVec(src, rowBytes, 1, cols, o), rowVec(src, rowBytes, 2, cols, o), rowVec(src, rowBytes, 3, cols, o), out, 32);
        storeTransposed4x4(rowVec(src, rowBytes, 4, cols, o), rowVec(src, rowBytes, 5, cols, o), rowVec(src, rowBytes, 6, cols, o), rowVec(src, rowBytes, 7, cols, o), out + 16, 32);
      }
      for (; p < kc; p++) {
        for (let c = 0; c < 8; c++) store<f32>(panel + <usize>p * 32 + <usize>c * 4, c < cols ? load<f32>(src + <usize>c * rowBytes + <usize>p * 4) : 0);
      }
    }
  }
}

/**
 * Packs all of op(B) (K x N) once, as column panels of 8 spanning the whole K: panel j holds, for
 * each p, op(B)[p, 8j .. 8j+8) (zero past N). Any K block [pc, pc+kc) of a panel is then the
 * contiguous run starting at row pc, which is exactly what packB produces for that block, so the
 * blocked GEMM can read it in place. Used for weights that many GEMMs share (the recurrent W_hh).
 */
export function f32_pack_b_panels(transB: i32, b: usize, ldb: i32, K: i32, N: i32, dst: usize): void {
  for (let j = 0; j < N; j += GEMM_PANEL_N) {
    packB(transB != 0, b, <usize>ldb, 0, K, j, min(GEMM_PANEL_N, N - j), dst + <usize>j * <usize>K * 4);
  }
}

/** Floats f32_pack_b_panels writes for a K x N op(B). */
export function f32_packed_b_floats(K: i32, N: i32): i32 {
  return ((N + 7) & ~7) * K;
}

const GEMM_PANEL_N: i32 = 8;

/**
 * Packs rows [0, M) of op(A) (A is M x K, or K x M stored when transA) into row panels of 4 over the
 * whole K: panel r/4 starts at float r*K (rows past M are 0), what f32_gemm_4x8_packed_a reads.
 * Threads pack row ranges (multiples of 4) by moving a and dst.
 */
export function f32_pack_a_rows(transA: i32, a: usize, lda: i32, M: i32, K: i32, dst: usize): void {
  packA(transA != 0, a, <usize>lda, 0, M, 0, K, dst);
}
