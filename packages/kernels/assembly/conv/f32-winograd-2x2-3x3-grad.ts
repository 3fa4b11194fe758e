// Winograd F(2x2, 3x3) filter gradient (the transforms of f32-winograd-2x2-3x3.ts): the output-gradient
// transform, the 16 GEMMs over the tiles by ranges of tile rows in a thread's cache, and dw = G^T dU G.
import { gemm_workspace_bytes, f32_gemm_4x8 } from '../gemm/f32-gemm-4x8';
import { evens, f32_winograd_2x2_3x3_input, loadFirst, odds, storeLanes } from './f32-winograd-2x2-3x3';

// Filter gradient. With y_t = A^T (U ⊙ V_t) A and U = G g G^T, the gradient of U is
// sum over tiles and images of (A dy_t A^T) ⊙ V_t, i.e. 16 GEMMs D[xi] (OC x tiles) · V[xi]^T
// (tiles x C), and the gradient of g is G^T dU G. The two kernels below are the adjoints of the
// output and filter transforms around those GEMMs; V is the forward pass's input transform.

/** Eight floats of a row from p, the first `cols` (0..8) of them real and the rest 0. */
// @ts-ignore: decorator
@inline
function loadRow8(p: usize, cols: i32, hi: bool): v128 {
  const n = hi ? cols - 4 : cols;
  return n <= 0 ? f32x4.splat(0) : loadFirst(p + <usize>(hi ? 16 : 0), min(4, n));
}

/**
 * D[xi][o][col + t] = (A dy_t A^T)[xi] for the tiles of tile rows th0..th1 of one image's output
 * gradient dy [OC, OH, OW] (d: xi-major, OC rows of ldd floats per xi). Gradient entries past OH or
 * OW (the odd row or column of the last tiles) read as 0. The adjoint of f32_winograd_2x2_3x3_output.
 */
export function f32_winograd_2x2_3x3_output_grad(
  dy: usize, OC: i32, OH: i32, OW: i32, th0: i32, th1: i32, tilesW: i32, d: usize, ldd: i32, col: i32,
): void {
  const xiStride = <usize>OC * <usize>ldd << 2;
  const owb = <usize>OW << 2;
  const zero = f32x4.splat(0);
  for (let o = 0; o < OC; o++) {
    const plane = dy + (<usize>o * <usize>OH * <usize>OW << 2);
    let out = d + ((<usize>o * <usize>ldd + <usize>col) << 2);
    for (let th = th0; th < th1; th++) {
      const row0 = plane + (<usize>(2 * th * OW) << 2);
      const second = 2 * th + 1 < OH;
      for (let tw = 0; tw < tilesW; tw += 4) {
        const n = min(4, tilesW - tw);
        const ow = 2 * tw;
        const cols = min(8, OW - ow);
        const at = row0 + (<usize>ow << 2);
        // Lane l: the 2x2 gradient block of tile tw + l (columns 2 (tw + l) and 2 (tw + l) + 1).
        const a0 = loadRow8(at, cols, false), b0 = loadRow8(at, cols, true);
        const a1 = second ? loadRow8(at + owb, cols, false) : zero, b1 = second ? loadRow8(at + owb, cols, true) : zero;
        const y00 = evens(a0, b0), y01 = odds(a0, b0), y10 = evens(a1, b1), y11 = odds(a1, b1);
        // Adjoint of the column transform: s[i] = (Y[i][0], Y[i][0] + Y[i][1], Y[i][0] - Y[i][1], -Y[i][1]).
        const s00 = y00, s01 = f32x4.add(y00, y01), s02 = f32x4.sub(y00, y01), s03 = f32x4.neg(y01);
        const s10 = y10, s11 = f32x4.add(y10, y11), s12 = f32x4.sub(y10, y11), s13 = f32x4.neg(y11);
        // Adjoint of the row transform: M[a][j] = (s[0][j], s[0][j] + s[1][j], s[0][j] - s[1][j], -s[1][j]).
        storeLanes(out, xiStride, 0, s00, s01, s02, s03, n);
        storeLanes(out, xiStride, 1, f32x4.add(s00, s10), f32x4.add(s01, s11), f32x4.add(s02, s12), f32x4.add(s03, s13), n);
        storeLanes(out, xiStride, 2, f32x4.sub(s00, s10), f32x4.sub(s01, s11), f32x4.sub(s02, s12), f32x4.sub(s03, s13), n);
        storeLanes(out, xiStride, 3, f32x4.neg(s10), f32x4.neg(s11), f32x4.neg(s12), f32x4.neg(s13), n);
        out += <usize>n << 2;
      }
    }
  }
}

/** (G^T u)[r] for the four values u0..u3 of a column (or row) of a transformed tile. */
// @ts-ignore: decorator
@inline
function gt0(u0: v128, u1: v128, u2: v128): v128 {
  return f32x4.add(u0, f32x4.mul(f32x4.splat(0.5), f32x4.add(u1, u2)));
}
// @ts-ignore: decorator
@inline
function gt1(u1: v128, u2: v128): v128 {
  return f32x4.mul(f32x4.splat(0.5), f32x4.sub(u1, u2));
}
// @ts-ignore: decorator
@inline
function gt2(u1: v128, u2: v128, u3: v128): v128 {
  return f32x4.add(f32x4.mul(f32x4.splat(0.5), f32x4.add(u1, u2)), u3);
}

/**
 * dw[o][c] (3x3, overwritten) = G^T dU[o][c] G for output channels [o0, o1), dU[xi][o][c] xi-major
 * (16 OC x C matrices), four input channels per step (the 16 planes lie OC * C floats apart; reading
 * them as vectors keeps the cache-set conflicts to one load per four filters). The adjoint of
 * f32_winograd_2x2_3x3_filter.
 */
function filterGradRows(du: usize, OC: i32, C: i32, dw: usize, o0: i32, o1: i32): void {
  const plane = <usize>OC * <usize>C * 4;
  for (let o = o0; o < o1; o++) {
    for (let c = 0; c < C; c += 4) {
      const lanes = min(4, C - c);
      const p = du + (<usize>(o * C + c) << 2);
      // Rows of the 4x4 tile (xi = 4a + b), columns reduced first: t[a][s] = sum_b dU[a][b] G[b][s].
      let t00: v128, t01: v128, t02: v128, t10: v128, t11: v128, t12: v128;
      let t20: v128, t21: v128, t22: v128, t30: v128, t31: v128, t32: v128;
      {
        const u0 = loadFirst(p, lanes), u1 = loadFirst(p + plane, lanes), u2 = loadFirst(p + 2 * plane, lanes), u3 = loadFirst(p + 3 * plane, lanes);
        t00 = gt0(u0, u1, u2); t01 = gt1(u1, u2); t02 = gt2(u1, u2, u3);
      }
      {
        const q = p + 4 * plane;
        const u0 = loadFirst(q, lanes), u1 = loadFirst(q + plane, lanes), u2 = loadFirst(q + 2 * plane, lanes), u3 = loadFirst(q + 3 * plane, lanes);
        t10 = gt0(u0, u1, u2); t11 = gt1(u1, u2); t12 = gt2(u1, u2, u3);
      }
      {
        const q = p + 8 * plane;
        const u0 = loadFirst(q, lanes), u1 = loadFirst(q + plane, lanes), u2 = loadFirst(q + 2 * plane, lanes), u3 = loadFirst(q + 3 * plane, lanes);
        t20 = gt0(u0, u1, u2); t21 = gt1(u1, u2); t22 = gt2(u1, u2, u3);
      }
      {
        const q = p + 12 * plane;
        const u0 = loadFirst(q, lanes), u1 = loadFirst(q + plane, lanes), u2 = loadFirst(q + 2 * plane, lanes), u3 = loadFirst(q + 3 * plane, lanes);
        t30 = gt0(u0, u1, u2); t31 = gt1(u1, u2); t32 = gt2(u1, u2, u3);
      }
      // Then the rows: g[r][s] = sum_a G[a][r] t[a][s].
      const g00 = gt0(t00, t10, t20), g01 = gt0(t01, t11, t21), g02 = gt0(t02, t12, t22);
      const g10 = gt1(t10, t20), g11 = gt1(t11, t21), g12 = gt1(t12, t22);
      const g20 = gt2(t10, t20, t30), g21 = gt2(t11, t21, t31), g22 = gt2(t12, t22, t32);
      const dst = dw + (<usize>(o * C + c) * 36);
      storeTap(dst, 0, lanes, g00); storeTap(dst, 1, lanes, g01); storeTap(dst, 2, lanes, g02);
      storeTap(dst, 3, lanes, g10); storeTap(dst, 4, lanes, g11); storeTap(dst, 5, lanes, g12);
      storeTap(dst, 6, lanes, g20); storeTap(dst, 7, lanes, g21); storeTap(dst, 8, lanes, g22);
    }
  }
}

/** Tap t of the filters of `lanes` consecutive input channels (9 floats apart) from the lanes of v. */
// @ts-ignore: decorator
@inline
function storeTap(dst: usize, t: usize, lanes: i32, v: v128): void {
  const p = dst + t * 4;
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (lanes > 1) store<f32>(p, f32x4.extract_lane(v, 1), 36);
  if (lanes > 2) store<f32>(p, f32x4.extract_lane(v, 2), 72);
  if (lanes > 3) store<f32>(p, f32x4.extract_lane(v, 3), 108);
}

/** Bytes rounded up to 64. */
// @ts-ignore: decorator
@inline
function lines(bytes: usize): usize {
  return (bytes + 63) & ~63;
}

/** Floats of the zero-padded rows the input transform reads for `rows` tile rows of tilesW tiles. */
// @ts-ignore: decorator
@inline
function planeFloats(rows: i32, tilesW: i32): usize {
  return <usize>(2 * rows + 2) * <usize>(8 * ((tilesW + 3) >> 2) + 2);
}

/**
 * Bytes of scratch f32_winograd_2x2_3x3_filter_grad_tiles needs for chunks of `rows` tile rows of
 * tilesW tiles and up to M output channels a task.
 */
export function f32_winograd_2x2_3x3_filter_grad_scratch_bytes(C: i32, M: i32, rows: i32, tilesW: i32): i32 {
  const T = <usize>rows * <usize>tilesW;
  return <i32>(lines(16 * <usize>M * <usize>C * 4) + lines(16 * <usize>C * T * 4) + lines(16 * <usize>M * T * 4) + lines(planeFloats(rows, tilesW) * 4) + <usize>gemm_workspace_bytes());
}

/**
 * Filters o0..o1 of dw ([OC, C, 3, 3], overwritten) = G^T dU G with dU[xi] = sum over the tiles of
 * tile rows [r0, r1) of the batch (image after image, ceil(OH / 2) an image) of D[xi] V[xi]^T: in
 * chunks of `rows` tile rows (a chunk may span images), the input transform of x [N, C, H, W] and the
 * output-gradient transform of dy [N, OC, OH, OW] (channels o0..o1) into the thread's scratch
 * (f32_winograd_2x2_3x3_filter_grad_scratch_bytes), then the 16 GEMMs over the chunk's tiles into dU
 * (the scratch's too), the first chunk written and the others added: each element is the chunks' sums
 * added in chunk order, whatever the channel range. No 3.2 MB buffers of transforms (ResNet's 64 x 56
 * x 56) and no pass reading them back. With nparts > 1 ranges of tile rows, each range writes its
 * own block `part` of `parts`, and the last of the job's `tasks` such calls to finish (an i32 counter
 * zeroed before the job) writes dw, the blocks added in range order; with one, part is dw.
 */
export function f32_winograd_2x2_3x3_filter_grad_tiles(
  x: usize, C: i32, H: i32, W: i32, padH: i32, padW: i32, dy: usize, OC: i32, OH: i32, OW: i32,
  r0: i32, r1: i32, rows: i32, o0: i32, o1: i32, part: usize, parts: usize, nparts: i32, counter: usize, tasks: i32, dw: usize, scratch: usize,
): void {
  const tilesH = (OH + 1) >> 1;
  const tilesW = (OW + 1) >> 1;
  const M = o1 - o0;
  const maxT = <usize>rows * <usize>tilesW;
  const du = scratch;
  const v = du + lines(16 * <usize>M * <usize>C * 4);
  const d = v + lines(16 * <usize>C * maxT * 4);
  const plane = d + lines(16 * <usize>M * maxT * 4);
  const work = plane + lines(planeFloats(rows, tilesW) * 4);
  const imageIn = <usize>C * <usize>H * <usize>W << 2;
  const planeOut = <usize>OH * <usize>OW << 2;
  const imageOut = <usize>OC * planeOut;
  const dy0 = dy + <usize>o0 * planeOut;
  const xiU = <usize>M * <usize>C << 2;
  for (let a = r0; a < r1; a += rows) {
    const b = min(a + rows, r1);
    const T = (b - a) * tilesW;
    for (let n = a / tilesH; n * tilesH < b; n++) {
      const th0 = max(a - n * tilesH, 0);
      const th1 = min(b - n * tilesH, tilesH);
      const col = (n * tilesH + th0 - a) * tilesW;
      f32_winograd_2x2_3x3_input(x + <usize>n * imageIn, C, H, W, padH, padW, th0, th1, tilesW, v, T, col, plane);
      f32_winograd_2x2_3x3_output_grad(dy0 + <usize>n * imageOut, M, OH, OW, th0, th1, tilesW, d, T, col);
    }
    const beta: f32 = a == r0 ? 0 : 1;
    for (let xi = 0; xi < 16; xi++) {
      const dxi = d + (<usize>(xi * M) * <usize>T << 2);
      const vxi = v + (<usize>(xi * C) * <usize>T << 2);
      f32_gemm_4x8(0, 1, M, C, T, 1, dxi, T, vxi, T, beta, du + <usize>xi * xiU, C, work);
    }
  }
  filterGradRows(du, M, C, part + <usize>o0 * <usize>C * 36, 0, M);
  // The last of the job's `tasks` filter-gradient tasks to finish adds the ranges' parts.
  if (nparts > 1 && atomic.add<i32>(counter, 1) == tasks - 1) sumParts(parts, nparts, OC * C * 9, dw);
}

/** dw[i] = ((p0[i] + p1[i]) + p2[i]) + ... for the nparts blocks of n floats laid end to end at parts. */
function sumParts(parts: usize, nparts: i32, n: i32, dw: usize): void {
  const step = <usize>n << 2;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const p = parts + (<usize>i << 2);
    let v = v128.load(p);
    for (let g = 1; g < nparts; g++) v = f32x4.add(v, v128.load(p + <usize>g * step));
    v128.store(dw + (<usize>i << 2), v);
  }
  for (; i < n; i++) {
    const p = parts + (<usize>i << 2);
    let v = load<f32>(p);
    for (let g = 1; g < nparts; g++) v += load<f32>(p + <usize>g * step);
    store<f32>(dw + (<usize>i << 2), v);
  }
}
