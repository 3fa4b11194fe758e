// C = alpha * op(A) * op(B) + beta * C, f32, row-major, blocked for cache (KC x NC panels of B (KC = 512: a 4x512 A panel and an 8x512 B panel fit in L1 together),
// MC x KC blocks of A) around a 4x8 register tile: 8 accumulators + 2 B vectors + 1 A splat = 11
// live v128, under the 15 that V8 keeps in registers on x64 (6x8 spills and halves the speed).
import { madd } from '../common/madd';
import { packA, packB } from './pack';

export const MR: i32 = 4;
export const NR: i32 = 8;
export const GEMM_KC: i32 = 512;
export const GEMM_MC: i32 = 128;
export const GEMM_NC: i32 = 1024;

/**
 * The 4x8 micro-tile: acc[4x8] = sum_p packedA[p][0..4] (x) packedB[p][0..8], then
 * C[tile] = alpha * acc + beta * C[tile] (beta == 0: C is not read). Only the mr x nr corner is
 * stored; `tile` is a 128-byte scratch for edge tiles.
 */
// @ts-ignore: decorator
@inline
export function microTile4x8(
  kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, mr: i32, nr: i32, alpha: f32, beta: f32, tile: usize,
): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  // Loop on pb alone (no separate counter): one register compare per step, no reload of kc.
  const pbEnd = pb + (<usize>kc << 5);
  while (pb < pbEnd) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    pa += 16;
    pb += 32;
  }
  storeTile4x8(c00, c01, c10, c11, c20, c21, c30, c31, c, ldc, mr, nr, alpha, beta, tile);
}

/**
 * C[tile] = alpha * acc + beta * C[tile] for the mr x nr corner of a 4x8 tile of accumulators
 * (beta == 0: C is not read); `tile` is a 128-byte scratch for edge tiles. Shared by every producer
 * of a 4x8 tile (packed GEMM, direct convolution).
 */
// @ts-ignore: decorator
@inline
export function storeTile4x8(
  c00: v128, c01: v128, c10: v128, c11: v128, c20: v128, c21: v128, c30: v128, c31: v128,
  c: usize, ldc: usize, mr: i32, nr: i32, alpha: f32, beta: f32, tile: usize,
): void {
  const va = f32x4.splat(alpha);
  const full = mr == MR && nr == NR;
  const rowBytes = ldc * 4;
  // Full tiles write C directly; edge tiles go through `tile` (row stride 32 bytes) and are clipped.
  let dst = full ? c : tile;
  const dstStride: usize = full ? rowBytes : 32;
  if (!full) {
    // Gather the valid corner of C into the tile so the same vector code can blend with beta.
    if (beta != 0) {
      for (let i = 0; i < mr; i++) {
        for (let j = 0; j < nr; j++) store<f32>(tile + <usize>(i * 32 + j * 4), load<f32>(c + <usize>i * rowBytes + <usize>j * 4));
      }
    }
  }
  if (beta == 0) {
    v128.store(dst, f32x4.mul(c00, va));
    v128.store(dst, f32x4.mul(c01, va), 16);
    dst += dstStride;
    v128.store(dst, f32x4.mul(c10, va));
    v128.store(dst, f32x4.mul(c11, va), 16);
    dst += dstStride;
    if (full || mr > 2) {
      v128.store(dst, f32x4.mul(c20, va));
      v128.store(dst, f32x4.mul(c21, va), 16);
      dst += dstStride;
      v128.store(dst, f32x4.mul(c30, va));
      v128.store(dst, f32x4.mul(c31, va), 16);
    }
  } else {
    const vb = f32x4.splat(beta);
    v128.store(dst, f32x4.add(f32x4.mul(c00, va), f32x4.mul(v128.load(dst), vb)));
    v128.store(dst, f32x4.add(f32x4.mul(c01, va), f32x4.mul(v128.load(dst, 16), vb)), 16);
    dst += dstStride;
    v128.store(dst, f32x4.add(f32x4.mul(c10, va), f32x4.mul(v128.load(dst), vb)));
    v128.store(dst, f32x4.add(f32x4.mul(c11, va), f32x4.mul(v128.load(dst, 16), vb)), 16);
    dst += dstStride;
    if (full || mr > 2) {
      v128.store(dst, f32x4.add(f32x4.mul(c20, va), f32x4.mul(v128.load(dst), vb)));
      v128.store(dst, f32x4.add(f32x4.mul(c21, va), f32x4.mul(v128.load(dst, 16), vb)), 16);
      dst += dstStride;
      v128.store(dst, f32x4.add(f32x4.mul(c30, va), f32x4.mul(v128.load(dst), vb)));
      v128.store(dst, f32x4.add(f32x4.mul(c31, va), f32x4.mul(v128.load(dst, 16), vb)), 16);
    }
  }
  if (!full) {
    for (let i = 0; i < mr; i++) {
      for (let j = 0; j < nr; j++) store<f32>(c + <usize>i * rowBytes + <usize>j * 4, load<f32>(tile + <usize>(i * 32 + j * 4)));
    }
  }
}

/**
 * The blocked loop nest shared by the entry points. A B panel source that is not 0 is already packed
 * over the whole K (column panels of 8), so B is read in place: panel j's block at K offset pc
 * starts pc steps in. `work` holds GEMM_MC*GEMM_KC +
 * GEMM_KC*GEMM_NC + 32 floats (gemm_workspace_bytes). Requires M, N, K >= 1 (the TS wrapper handles
 * empty products).
 */
// @ts-ignore: decorator
@inline
function gemmBlocked(
  transA: i32, transB: i32, M: i32, N: i32, K: i32, alpha: f32,
  a: usize, lda: i32, b: usize, ldb: i32, beta: f32, c: usize, ldc: i32, work: usize, panelsB: usize, panelsA: usize,
): void {
  const packedA = work;
  const packedB = work + <usize>(GEMM_MC * GEMM_KC) * 4;
  const tile = packedB + <usize>(GEMM_KC * GEMM_NC) * 4;
  for (let jc = 0; jc < N; jc += GEMM_NC) {
    const nc = min(GEMM_NC, N - jc);
    for (let pc = 0; pc < K; pc += GEMM_KC) {
      const kc = min(GEMM_KC, K - pc);
      // Later K blocks accumulate onto what the first one wrote.
      const blockBeta: f32 = pc == 0 ? beta : 1;
      if (panelsB == 0) packB(transB != 0, b, <usize>ldb, pc, kc, jc, nc, packedB);
      for (let ic = 0; ic < M; ic += GEMM_MC) {
        const mc = min(GEMM_MC, M - ic);
        if (panelsA == 0) packA(transA != 0, a, <usize>lda, ic, mc, pc, kc, packedA);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const pb = panelsB != 0
            ? panelsB + (<usize>(jc + jr) * <usize>K + <usize>pc * NR) * 4
            : packedB + <usize>(jr * kc) * 4;
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = min(MR, mc - ir);
            const pa = panelsA != 0
              ? panelsA + (<usize>(ic + ir) * <usize>K + <usize>pc * MR) * 4
              : packedA + <usize>(ir * kc) * 4;
            const cp = c + (<usize>(ic + ir) * <usize>ldc + <usize>(jc + jr)) * 4;
            microTile4x8(kc, pa, pb, cp, <usize>ldc, mr, nr, alpha, blockBeta, tile);
          }
        }
      }
    }
  }
}

/** C = alpha * op(A) * op(B) + beta * C, packing both sides block by block. */
export function f32_gemm_4x8(
  transA: i32, transB: i32, M: i32, N: i32, K: i32, alpha: f32,
  a: usize, lda: i32, b: usize, ldb: i32, beta: f32, c: usize, ldc: i32, work: usize,
): void {
  gemmBlocked(transA, transB, M, N, K, alpha, a, lda, b, ldb, beta, c, ldc, work, 0, 0);
}

/**
 * The same with op(B) already packed by f32_pack_b_panels (the transpose was fixed by packing).
 * Saves re-packing a weight that many products share, e.g. W_hh at every time step of a sequence.
 */
export function f32_gemm_4x8_packed_b(
  transA: i32, M: i32, N: i32, K: i32, alpha: f32, a: usize, lda: i32, packedB: usize, beta: f32, c: usize, ldc: i32, work: usize,
): void {
  gemmBlocked(transA, 0, M, N, K, alpha, a, lda, 0, 0, beta, c, ldc, work, packedB, 0);
}

/**
 * The same with op(A) already packed over the whole K by f32_pack_a_rows (row panels of 4: panel r/4
 * starts at float r*K, so any K block of a panel is the run packA makes for it). The threads of one
 * GEMM cut into column panels pack A once between them, instead of each panel packing all of it.
 */
export function f32_gemm_4x8_packed_a(
  transB: i32, M: i32, N: i32, K: i32, alpha: f32, packedA: usize, b: usize, ldb: i32, beta: f32, c: usize, ldc: i32, work: usize,
): void {
  gemmBlocked(0, transB, M, N, K, alpha, 0, 0, b, ldb, beta, c, ldc, work, 0, packedA);
}

/** Bytes of workspace f32_gemm_4x8 needs. */
export function gemm_workspace_bytes(): i32 {
  return (GEMM_MC * GEMM_KC + GEMM_KC * GEMM_NC + 32) * 4;
}
