// Winograd F(2x2, 3x3) for stride-1, undilated 3x3 convolutions (Lavin & Gray, 2016): each 2x2 block
// of outputs ("tile") is A^T [(G g G^T) ⊙ (B^T d B)] A, with d the 4x4 input patch under the tile.
// Summed over input channels, the 16 products ⊙ become 16 GEMMs, U[xi] (OC x C) · V[xi] (C x tiles):
// 16 multiply-adds per tile per channel pair instead of 36, 2.25x fewer. These three kernels are the
// transforms around those GEMMs (run by the ordinary GEMM kernel):
//   filter: U[xi][o][c] = (G g_oc G^T)[xi]
//   input:  V[xi][c][t] = (B^T d_ct B)[xi]     four tiles of a tile row per v128
//   output: y[o][2th + i][2tw + j] = (A^T M_ot A)[i][j] + bias[o]
// with xi = 4 * row + column of the 4x4 transformed tile, and
//   B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1],  G = [1 0 0; ½ ½ ½; ½ -½ ½; 0 0 1],  A^T = [1 1 1 0; 0 1 -1 -1].
// F(2x2, 3x3) keeps float32 error within a few ulps of the direct sum (its matrices hold only 0, ±1, ±½);
// larger tiles (F(4x4, 3x3)) save more but lose digits, which training notices. The filter gradient's
// transforms (their adjoints) are in f32-winograd-2x2-3x3-grad.ts.
import { loadTail, storeTail } from '../common/lanes';
import { paddedRows } from './padded-rows';
import { madd } from '../common/madd';

/** 16 values of one transformed 4x4 tile; `g` gives row-major 3x3 taps (9 floats at p, step bytes apart). */
// @ts-ignore: decorator
@inline
function filterTile(p: usize, kstep: usize, out: usize, ostride: usize, flip: bool): void {
  // g[r][s] read as a 3x3; `flip` reads it rotated by 180 degrees (the kernel of the input gradient).
  const g00 = load<f32>(p + <usize>(flip ? 8 : 0) * kstep), g01 = load<f32>(p + <usize>(flip ? 7 : 1) * kstep), g02 = load<f32>(p + <usize>(flip ? 6 : 2) * kstep);
  const g10 = load<f32>(p + <usize>(flip ? 5 : 3) * kstep), g11 = load<f32>(p + 4 * kstep), g12 = load<f32>(p + <usize>(flip ? 3 : 5) * kstep);
  const g20 = load<f32>(p + <usize>(flip ? 2 : 6) * kstep), g21 = load<f32>(p + <usize>(flip ? 1 : 7) * kstep), g22 = load<f32>(p + <usize>(flip ? 0 : 8) * kstep);
  // Rows: G g (4x3).
  const a00 = g00, a01 = g01, a02 = g02;
  const a10 = <f32>0.5 * (g00 + g10 + g20), a11 = <f32>0.5 * (g01 + g11 + g21), a12 = <f32>0.5 * (g02 + g12 + g22);
  const a20 = <f32>0.5 * (g00 - g10 + g20), a21 = <f32>0.5 * (g01 - g11 + g21), a22 = <f32>0.5 * (g02 - g12 + g22);
  const a30 = g20, a31 = g21, a32 = g22;
  // Columns: (G g) G^T (4x4), stored xi = 4 * row + column, `ostride` bytes apart.
  storeRow(out, ostride, 0, a00, a01, a02);
  storeRow(out, ostride, 1, a10, a11, a12);
  storeRow(out, ostride, 2, a20, a21, a22);
  storeRow(out, ostride, 3, a30, a31, a32);
}

// @ts-ignore: decorator
@inline
function storeRow(out: usize, ostride: usize, row: usize, r0: f32, r1: f32, r2: f32): void {
  const base = out + row * 4 * ostride;
  store<f32>(base, r0);
  store<f32>(base + ostride, <f32>0.5 * (r0 + r1 + r2));
  store<f32>(base + 2 * ostride, <f32>0.5 * (r0 - r1 + r2));
  store<f32>(base + 3 * ostride, r2);
}

/** Tap t (0..8, row-major) of four filters whose taps start lstride bytes apart at p, one per lane. */
// @ts-ignore: decorator
@inline
function tap4(p: usize, lstride: usize, t: usize): v128 {
  let v = f32x4.splat(load<f32>(p + t * 4));
  v = f32x4.replace_lane(v, 1, load<f32>(p + lstride + t * 4));
  v = f32x4.replace_lane(v, 2, load<f32>(p + 2 * lstride + t * 4));
  return f32x4.replace_lane(v, 3, load<f32>(p + 3 * lstride + t * 4));
}

// @ts-ignore: decorator
@inline
function storeRow4(out: usize, ostride: usize, row: usize, r0: v128, r1: v128, r2: v128): void {
  const half = f32x4.splat(0.5);
  const base = out + row * 4 * ostride;
  v128.store(base, r0);
  v128.store(base + ostride, f32x4.mul(half, f32x4.add(f32x4.add(r0, r1), r2)));
  v128.store(base + 2 * ostride, f32x4.mul(half, f32x4.add(f32x4.sub(r0, r1), r2)));
  v128.store(base + 3 * ostride, r2);
}

/**
 * filterTile for four filters at once (lane l reads the taps at p + l * lstride), stored as one v128
 * per xi: the four filters must be adjacent in the output. Same operations in the same order as
 * the scalar tile, so the same bits.
 */
// @ts-ignore: decorator
@inline
function filterTile4(p: usize, lstride: usize, out: usize, ostride: usize, flip: bool): void {
  const g00 = tap4(p, lstride, flip ? 8 : 0), g01 = tap4(p, lstride, flip ? 7 : 1), g02 = tap4(p, lstride, flip ? 6 : 2);
  const g10 = tap4(p, lstride, flip ? 5 : 3), g11 = tap4(p, lstride, 4), g12 = tap4(p, lstride, flip ? 3 : 5);
  const g20 = tap4(p, lstride, flip ? 2 : 6), g21 = tap4(p, lstride, flip ? 1 : 7), g22 = tap4(p, lstride, flip ? 0 : 8);
  const half = f32x4.splat(0.5);
  storeRow4(out, ostride, 0, g00, g01, g02);
  storeRow4(out, ostride, 1,
    f32x4.mul(half, f32x4.add(f32x4.add(g00, g10), g20)),
    f32x4.mul(half, f32x4.add(f32x4.add(g01, g11), g21)),
    f32x4.mul(half, f32x4.add(f32x4.add(g02, g12), g22)));
  storeRow4(out, ostride, 2,
    f32x4.mul(half, f32x4.add(f32x4.sub(g00, g10), g20)),
    f32x4.mul(half, f32x4.add(f32x4.sub(g01, g11), g21)),
    f32x4.mul(half, f32x4.add(f32x4.sub(g02, g12), g22)));
  storeRow4(out, ostride, 3, g20, g21, g22);
}

/**
 * U[xi][o][c] for OC x C filters w [OC, C, 3, 3] (u: 16 * OC * C floats, xi-major). With flip != 0
 * the filters are read as those of the input gradient: U[xi][c][o] from w[o][c] rotated by 180
 * degrees (u then holds C x OC matrices).
 * The loops run in the order of u, four outputs per step: the 16 planes lie OC * C floats apart,
 * often a multiple of 4 KB, so scattered scalar stores into them fight over the same cache sets
 * (this transform took 1.6 ms for a 256x256 layer before; now a fraction of that).
 */
export function f32_winograd_2x2_3x3_filter(w: usize, OC: i32, C: i32, flip: i32, u: usize): void {
  f32_winograd_2x2_3x3_filter_rows(w, OC, C, flip, u, 0, flip != 0 ? C : OC);
}

/**
 * Rows [r0, r1) of f32_winograd_2x2_3x3_filter's output (output channels, or input channels when
 * flipped): each row's values are computed as in the whole transform, so threads take row ranges.
 */
export function f32_winograd_2x2_3x3_filter_rows(w: usize, OC: i32, C: i32, flip: i32, u: usize, r0: i32, r1: i32): void {
  const plane = <usize>OC * <usize>C * 4;
  // Output rows (R) of inner length L: o and c for the forward filters, c and o when flipped.
  const L = flip != 0 ? OC : C;
  // Bytes between the taps of consecutive inner indices: the next c, or the next o.
  const lstride: usize = flip != 0 ? <usize>C * 36 : 36;
  for (let r = r0; r < r1; r++) {
    let i = 0;
    for (; i + 4 <= L; i += 4) {
      const oc = flip != 0 ? i * C + r : r * C + i;
      const g = w + (<usize>oc * 36);
      filterTile4(g, lstride, u + (<usize>(r * L + i) << 2), plane, flip != 0);
    }
    for (; i < L; i++) {
      const oc = flip != 0 ? i * C + r : r * C + i;
      filterTile(w + (<usize>oc * 36), 4, u + (<usize>(r * L + i) << 2), plane, flip != 0);
    }
  }
}

/** Lanes 0, 2, 4, 6 of the eight floats a:b. */
// @ts-ignore: decorator
@inline
export function evens(a: v128, b: v128): v128 {
  return v128.shuffle<f32>(a, b, 0, 2, 4, 6);
}

// @ts-ignore: decorator
@inline
export function odds(a: v128, b: v128): v128 {
  return v128.shuffle<f32>(a, b, 1, 3, 5, 7);
}

/**
 * V[xi][c][col + t] for the tiles of tile rows th0..th1 of one image x [C, H, W] (t counts tiles
 * row by row from (th0, 0); tilesW tiles per row). v: xi-major, C rows of ldv floats per xi.
 * plane: scratch of (2 (th1 - th0) + 2) * (8 ceil(tilesW / 4) + 2) floats, the zero-padded rows of
 * one channel that the tiles read, so every tile is read with whole-vector loads.
 */
export function f32_winograd_2x2_3x3_input(
  x: usize, C: i32, H: i32, W: i32, padH: i32, padW: i32, th0: i32, th1: i32, tilesW: i32,
  v: usize, ldv: i32, col: i32, plane: usize,
): void {
  winograd2x2Input(x, C, H, W, padH, padW, th0, th1, tilesW, 0, C, v, ldv, col, plane);
}

/** f32_winograd_2x2_3x3_input for channels c0..c1 only (each writes its own rows of v). */
export function winograd2x2Input(
  x: usize, C: i32, H: i32, W: i32, padH: i32, padW: i32, th0: i32, th1: i32, tilesW: i32,
  c0: i32, c1: i32, v: usize, ldv: i32, col: i32, plane: usize,
): void {
  const rows = 2 * (th1 - th0) + 2;
  const wp = 8 * ((tilesW + 3) >> 2) + 2;
  const wpb = <usize>wp << 2;
  const ih0 = 2 * th0 - padH;
  const xiStride = <usize>C * <usize>ldv << 2;
  for (let c = c0; c < c1; c++) {
    const src = x + (<usize>c * <usize>H * <usize>W << 2);
    paddedRows(plane, wp, src, H, W, ih0, rows, padW);
    let out = v + ((<usize>c * <usize>ldv + <usize>col) << 2);
    for (let th = th0; th < th1; th++) {
      const top = plane + <usize>(2 * (th - th0)) * wpb;
      for (let tw = 0; tw < tilesW; tw += 4) {
        // Four tiles side by side: lane l is tile tw + l, whose patch columns start at 2 (tw + l).
        const p = top + (<usize>(2 * tw) << 2);
        // Column transform of each patch row r: e[r][j] = (d[r] B)[j].
        let e00: v128, e01: v128, e02: v128, e03: v128;
        let e10: v128, e11: v128, e12: v128, e13: v128;
        let e20: v128, e21: v128, e22: v128, e23: v128;
        let e30: v128, e31: v128, e32: v128, e33: v128;
        {
          const q = p;
          const a = v128.load(q), b = v128.load(q, 16), a2 = v128.load(q, 8), b2 = v128.load(q, 24);
          const d0 = evens(a, b), d1 = odds(a, b), d2 = evens(a2, b2), d3 = odds(a2, b2);
          e00 = f32x4.sub(d0, d2); e01 = f32x4.add(d1, d2); e02 = f32x4.sub(d2, d1); e03 = f32x4.sub(d1, d3);
        }
        {
          const q = p + wpb;
          const a = v128.load(q), b = v128.load(q, 16), a2 = v128.load(q, 8), b2 = v128.load(q, 24);
          const d0 = evens(a, b), d1 = odds(a, b), d2 = evens(a2, b2), d3 = odds(a2, b2);
          e10 = f32x4.sub(d0, d2); e11 = f32x4.add(d1, d2); e12 = f32x4.sub(d2, d1); e13 = f32x4.sub(d1, d3);
        }
        {
          const q = p + 2 * wpb;
          const a = v128.load(q), b = v128.load(q, 16), a2 = v128.load(q, 8), b2 = v128.load(q, 24);
          const d0 = evens(a, b), d1 = odds(a, b), d2 = evens(a2, b2), d3 = odds(a2, b2);
          e20 = f32x4.sub(d0, d2); e21 = f32x4.add(d1, d2); e22 = f32x4.sub(d2, d1); e23 = f32x4.sub(d1, d3);
        }
        {
          const q = p + 3 * wpb;
          const a = v128.load(q), b = v128.load(q, 16), a2 = v128.load(q, 8), b2 = v128.load(q, 24);
          const d0 = evens(a, b), d1 = odds(a, b), d2 = evens(a2, b2), d3 = odds(a2, b2);
          e30 = f32x4.sub(d0, d2); e31 = f32x4.add(d1, d2); e32 = f32x4.sub(d2, d1); e33 = f32x4.sub(d1, d3);
        }
        // Row transform: V[i][j] = (B^T e)[i][j].
        const n = min(4, tilesW - tw);
        storeLanes(out, xiStride, 0, f32x4.sub(e00, e20), f32x4.sub(e01, e21), f32x4.sub(e02, e22), f32x4.sub(e03, e23), n);
        storeLanes(out, xiStride, 1, f32x4.add(e10, e20), f32x4.add(e11, e21), f32x4.add(e12, e22), f32x4.add(e13, e23), n);
        storeLanes(out, xiStride, 2, f32x4.sub(e20, e10), f32x4.sub(e21, e11), f32x4.sub(e22, e12), f32x4.sub(e23, e13), n);
        storeLanes(out, xiStride, 3, f32x4.sub(e10, e30), f32x4.sub(e11, e31), f32x4.sub(e12, e32), f32x4.sub(e13, e33), n);
        out += <usize>n << 2;
      }
    }
  }
}

/** Stores row i of four transformed tiles (columns v0..v3, n valid lanes) at xi = 4i..4i+3. */
// @ts-ignore: decorator
@inline
export function storeLanes(out: usize, xiStride: usize, i: usize, v0: v128, v1: v128, v2: v128, v3: v128, n: i32): void {
  const base = out + 4 * i * xiStride;
  if (n == 4) {
    v128.store(base, v0);
    v128.store(base + xiStride, v1);
    v128.store(base + 2 * xiStride, v2);
    v128.store(base + 3 * xiStride, v3);
  } else {
    storeTail(base, v0, <usize>n);
    storeTail(base + xiStride, v1, <usize>n);
    storeTail(base + 2 * xiStride, v2, <usize>n);
    storeTail(base + 3 * xiStride, v3, <usize>n);
  }
}


/**
 * y[o][2th + i][2tw + j] = (A^T M A)[i][j] + bias[o] for the tiles of tile rows th0..th1 of one image
 * (y: [OC, OH, OW]); M[xi][o][col + t] (xi-major, OC rows of ldm floats per xi) as the GEMMs left it.
 * Outputs past OH or OW (the odd row or column of the last tiles) are not written. bias may be 0.
 */
export function f32_winograd_2x2_3x3_output(
  m: usize, OC: i32, ldm: i32, col: i32, th0: i32, th1: i32, tilesW: i32, bias: usize, y: usize, OH: i32, OW: i32,
): void {
  winograd2x2Output(m, OC, ldm, col, th0, th1, tilesW, 0, OC, bias, y, OH, OW, false, 0, 0, 0, false);
}

/**
 * f32_winograd_2x2_3x3_output for output channels o0..o1, then, with `affine`, inference's batch norm,
 * residual and ReLU on each output as f32_channel_affine_act applies them to the stored result:
 * act(madd(y, s[o], t[o]) + r) (scale / shift 0: 1 / 0; residual [OC, OH, OW] or 0).
 */
export function winograd2x2Output(
  m: usize, OC: i32, ldm: i32, col: i32, th0: i32, th1: i32, tilesW: i32, o0: i32, o1: i32, bias: usize, y: usize, OH: i32, OW: i32,
  affine: bool, scale: usize, shift: usize, residual: usize, relu: bool,
): void {
  const xiStride = <usize>OC * <usize>ldm << 2;
  const owb = <usize>OW << 2;
  for (let o = o0; o < o1; o++) {
    const b = f32x4.splat(bias != 0 ? load<f32>(bias + (<usize>o << 2)) : 0);
    const sv = f32x4.splat(scale != 0 ? load<f32>(scale + (<usize>o << 2)) : 1);
    const tv = f32x4.splat(shift != 0 ? load<f32>(shift + (<usize>o << 2)) : 0);
    const rplane: usize = residual == 0 ? 0 : residual + (<usize>o * <usize>OH * <usize>OW << 2);
    const plane = y + (<usize>o * <usize>OH * <usize>OW << 2);
    let src = m + ((<usize>o * <usize>ldm + <usize>col) << 2);
    for (let th = th0; th < th1; th++) {
      const row0 = plane + (<usize>(2 * th * OW) << 2);
      const second = 2 * th + 1 < OH;
      for (let tw = 0; tw < tilesW; tw += 4) {
        const n = min(4, tilesW - tw);
        // Row transform s[i][j] = (A^T M)[i][j], four tiles per vector.
        let s00: v128, s01: v128, s02: v128, s03: v128, s10: v128, s11: v128, s12: v128, s13: v128;
        {
          const m0 = loadFirst(src, n), m1 = loadFirst(src + 4 * xiStride, n), m2 = loadFirst(src + 8 * xiStride, n), m3 = loadFirst(src + 12 * xiStride, n);
          s00 = f32x4.add(f32x4.add(m0, m1), m2);
          s10 = f32x4.sub(f32x4.sub(m1, m2), m3);
        }
        {
          const q = src + xiStride;
          const m0 = loadFirst(q, n), m1 = loadFirst(q + 4 * xiStride, n), m2 = loadFirst(q + 8 * xiStride, n), m3 = loadFirst(q + 12 * xiStride, n);
          s01 = f32x4.add(f32x4.add(m0, m1), m2);
          s11 = f32x4.sub(f32x4.sub(m1, m2), m3);
        }
        {
          const q = src + 2 * xiStride;
          const m0 = loadFirst(q, n), m1 = loadFirst(q + 4 * xiStride, n), m2 = loadFirst(q + 8 * xiStride, n), m3 = loadFirst(q + 12 * xiStride, n);
          s02 = f32x4.add(f32x4.add(m0, m1), m2);
          s12 = f32x4.sub(f32x4.sub(m1, m2), m3);
        }
        {
          const q = src + 3 * xiStride;
          const m0 = loadFirst(q, n), m1 = loadFirst(q + 4 * xiStride, n), m2 = loadFirst(q + 8 * xiStride, n), m3 = loadFirst(q + 12 * xiStride, n);
          s03 = f32x4.add(f32x4.add(m0, m1), m2);
          s13 = f32x4.sub(f32x4.sub(m1, m2), m3);
        }
        // Column transform Y[i][j] = (s A)[i][j] + bias.
        const y00 = f32x4.add(f32x4.add(f32x4.add(s00, s01), s02), b);
        const y01 = f32x4.add(f32x4.sub(f32x4.sub(s01, s02), s03), b);
        const y10 = f32x4.add(f32x4.add(f32x4.add(s10, s11), s12), b);
        const y11 = f32x4.add(f32x4.sub(f32x4.sub(s11, s12), s13), b);
        const ow = 2 * tw;
        const at = row0 + (<usize>ow << 2);
        // Lane l's two outputs go to columns 2 (tw + l) and 2 (tw + l) + 1: interleave the pairs.
        let lo0 = v128.shuffle<f32>(y00, y01, 0, 4, 1, 5), hi0 = v128.shuffle<f32>(y00, y01, 2, 6, 3, 7);
        let lo1 = v128.shuffle<f32>(y10, y11, 0, 4, 1, 5), hi1 = v128.shuffle<f32>(y10, y11, 2, 6, 3, 7);
        const cols = min(8, OW - ow);
        if (affine) {
          const r0: usize = rplane == 0 ? 0 : rplane + (<usize>(2 * th * OW + ow) << 2);
          lo0 = finish(lo0, sv, tv, r0, cols, relu);
          hi0 = finish(hi0, sv, tv, r0 == 0 ? 0 : r0 + 16, cols - 4, relu);
          if (second) {
            const r1: usize = r0 == 0 ? 0 : r0 + owb;
            lo1 = finish(lo1, sv, tv, r1, cols, relu);
            hi1 = finish(hi1, sv, tv, r1 == 0 ? 0 : r1 + 16, cols - 4, relu);
          }
        }
        if (cols == 8) {
          v128.store(at, lo0);
          v128.store(at, hi0, 16);
          if (second) {
            v128.store(at + owb, lo1);
            v128.store(at + owb, hi1, 16);
          }
        } else {
          storeCols(at, lo0, hi0, cols);
          if (second) storeCols(at + owb, lo1, hi1, cols);
        }
        src += <usize>n << 2;
      }
    }
  }
}

/**
 * act(madd(v, s, t) + r) on four outputs, of which the first n (at most 4; none when n <= 0) lie
 * inside the row: the residual is read for those only (r: 0 for none).
 */
// @ts-ignore: decorator
@inline
function finish(v: v128, s: v128, t: v128, r: usize, n: i32, relu: bool): v128 {
  v = madd(v, s, t);
  if (r != 0 && n > 0) v = f32x4.add(v, n >= 4 ? v128.load(r) : loadTail(r, <usize>n, 0));
  if (relu) {
    const zero = f32x4.splat(0);
    v = v128.bitselect(zero, v, f32x4.lt(v, zero));
  }
  return v;
}

// @ts-ignore: decorator
@inline
export function loadFirst(p: usize, n: i32): v128 {
  return n == 4 ? v128.load(p) : loadTail(p, <usize>n, 0);
}

/** Stores the first `cols` (1..7) of the eight floats lo:hi at p. */
// @ts-ignore: decorator
@inline
function storeCols(p: usize, lo: v128, hi: v128, cols: i32): void {
  if (cols >= 4) {
    v128.store(p, lo);
    if (cols > 4) storeTail(p + 16, hi, <usize>(cols - 4));
  } else {
    storeTail(p, lo, <usize>cols);
  }
}
