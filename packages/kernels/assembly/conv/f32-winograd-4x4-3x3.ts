// Winograd F(4x4, 3x3) for inference of stride-1, undilated 3x3 convolutions (Lavin & Gray, 2016):
// each 4x4 block of outputs ("tile") is A^T [(G g G^T) ⊙ (B^T d B)] A with d the 6x6 input patch
// under it. Summed over input channels, the 36 products become 36 GEMMs U[xi] (OC x C) · V[xi]
// (C x tiles): 36 multiply-adds per 16 outputs per channel pair instead of 144, 4x fewer than the
// direct sum (F(2x2, 3x3): 2.25x). The kernels here are the transforms around those GEMMs:
//   filter: U[xi][o][c] = (G g_oc G^T)[xi]                  computed in float64, rounded once
//   input:  V[xi][c][t] = (B^T d_ct B)[xi]                  four tiles of a tile row per v128
//   output: y[o][4th + i][4tw + j] = act(s[o] (A^T M_ot A)[i][j] + t[o] + r[o][..])   (the batch norm,
//           residual and ReLU of the convolution, as f32_channel_affine_act computes them)
// with xi = 6 * row + column of the 6x6 transformed tile, and (interpolation points 0, ±1, ±2, ∞)
//   B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
//   G   = [¼ 0 0; -⅙ -⅙ -⅙; -⅙ ⅙ -⅙; 1/24 1/12 ⅙; 1/24 -1/12 ⅙; 0 0 1]
//   A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1].
// The larger entries cost float32 digits (test/winograd-4x4.test.ts bounds the error against a
// float64 direct sum), which inference tolerates and training is not asked to: the training path
// keeps F(2x2, 3x3).
import { loadTail, storeTail } from '../common/lanes';
import { paddedRows } from './padded-rows';
import { madd } from '../common/madd';

/** Bytes of scratch f32_winograd_4x4_3x3_input needs beyond its plane, and _output needs: 42 v128. */
export function f32_winograd_4x4_3x3_scratch_bytes(): i32 {
  return 42 * 16;
}

/**
 * U[xi][o][c] for output channels [r0, r1) of the filters w [OC, C, 3, 3] (u: 36 * OC * C floats,
 * xi-major): G g G^T in float64, rounded once. Each row's values are the same whoever computes it.
 */
export function f32_winograd_4x4_3x3_filter_rows(w: usize, OC: i32, C: i32, u: usize, r0: i32, r1: i32): void {
  const plane = <usize>OC * <usize>C * 4;
  for (let o = r0; o < r1; o++) {
    for (let c = 0; c < C; c++) {
      const g = w + (<usize>(o * C + c) * 36);
      const out = u + (<usize>(o * C + c) << 2);
      // Row a of t = G g (6x3) from the rows of g, then row a of U = t G^T.
      const g00 = <f64>load<f32>(g), g01 = <f64>load<f32>(g, 4), g02 = <f64>load<f32>(g, 8);
      const g10 = <f64>load<f32>(g, 12), g11 = <f64>load<f32>(g, 16), g12 = <f64>load<f32>(g, 20);
      const g20 = <f64>load<f32>(g, 24), g21 = <f64>load<f32>(g, 28), g22 = <f64>load<f32>(g, 32);
      filterRow(out, plane, 0, g00 / 4, g01 / 4, g02 / 4);
      filterRow(out, plane, 1, -(g00 + g10 + g20) / 6, -(g01 + g11 + g21) / 6, -(g02 + g12 + g22) / 6);
      filterRow(out, plane, 2, -(g00 - g10 + g20) / 6, -(g01 - g11 + g21) / 6, -(g02 - g12 + g22) / 6);
      filterRow(out, plane, 3, g00 / 24 + g10 / 12 + g20 / 6, g01 / 24 + g11 / 12 + g21 / 6, g02 / 24 + g12 / 12 + g22 / 6);
      filterRow(out, plane, 4, g00 / 24 - g10 / 12 + g20 / 6, g01 / 24 - g11 / 12 + g21 / 6, g02 / 24 - g12 / 12 + g22 / 6);
      filterRow(out, plane, 5, g20, g21, g22);
    }
  }
}

/** Row a of U = (v0, v1, v2) G^T, rounded to float32, at xi = 6 a .. 6 a + 5 (`plane` bytes apart). */
// @ts-ignore: decorator
@inline
function filterRow(out: usize, plane: usize, a: i32, v0: f64, v1: f64, v2: f64): void {
  const q = out + <usize>(6 * a) * plane;
  store<f32>(q, <f32>(v0 / 4));
  store<f32>(q + plane, <f32>(-(v0 + v1 + v2) / 6));
  store<f32>(q + 2 * plane, <f32>(-(v0 - v1 + v2) / 6));
  store<f32>(q + 3 * plane, <f32>(v0 / 24 + v1 / 12 + v2 / 6));
  store<f32>(q + 4 * plane, <f32>(v0 / 24 - v1 / 12 + v2 / 6));
  store<f32>(q + 5 * plane, <f32>v2);
}

/** B^T d for six vectors d0..d5, stored at p, p + step, ..., p + 5 step. */
// @ts-ignore: decorator
@inline
function bt6(d0: v128, d1: v128, d2: v128, d3: v128, d4: v128, d5: v128, p: usize, step: usize): void {
  const four = f32x4.splat(4), five = f32x4.splat(5), two = f32x4.splat(2);
  const a = f32x4.sub(d4, d2);
  const b = f32x4.sub(d3, d1);
  v128.store(p, f32x4.add(f32x4.sub(f32x4.mul(four, d0), f32x4.mul(five, d2)), d4));
  v128.store(p + step, f32x4.sub(f32x4.add(d3, d4), f32x4.mul(four, f32x4.add(d1, d2))));
  v128.store(p + 2 * step, f32x4.add(f32x4.sub(d4, d3), f32x4.mul(four, f32x4.sub(d1, d2))));
  v128.store(p + 3 * step, f32x4.add(a, f32x4.mul(two, b)));
  v128.store(p + 4 * step, f32x4.sub(a, f32x4.mul(two, b)));
  v128.store(p + 5 * step, f32x4.add(f32x4.sub(f32x4.mul(four, d1), f32x4.mul(five, d3)), d5));
}

/**
 * V[xi][c][col + t] for channels c0..c1 and the tiles of tile rows th0..th1 of one image x [C, H, W]
 * (t counts tiles row by row from (th0, 0); tilesW tiles per row). v: xi-major, C rows of ldv floats
 * per xi (a range of channels writes only its rows, so threads can split an image by channels).
 * scratch: (4 (th1 - th0) + 2) * (16 ceil(tilesW / 4) + 4) floats (the zero-padded rows of one
 * channel the tiles read, so every tile is read with whole-vector loads), then 42 v128.
 */
export function f32_winograd_4x4_3x3_input(
  x: usize, C: i32, H: i32, W: i32, padH: i32, padW: i32, th0: i32, th1: i32, tilesW: i32,
  c0: i32, c1: i32, v: usize, ldv: i32, col: i32, scratch: usize,
): void {
  const rows = 4 * (th1 - th0) + 2;
  const wp = 16 * ((tilesW + 3) >> 2) + 4;
  const wpb = <usize>wp << 2;
  const plane = scratch;
  const e = scratch + <usize>rows * wpb;
  const ih0 = 4 * th0 - padH;
  const xiStride = <usize>C * <usize>ldv << 2;
  for (let c = c0; c < c1; c++) {
    const src = x + (<usize>c * <usize>H * <usize>W << 2);
    paddedRows(plane, wp, src, H, W, ih0, rows, padW);
    let out = v + ((<usize>c * <usize>ldv + <usize>col) << 2);
    for (let th = th0; th < th1; th++) {
      const top = plane + <usize>(4 * (th - th0)) * wpb;
      for (let tw = 0; tw < tilesW; tw += 4) {
        // Four tiles side by side: lane l is tile tw + l, whose patch columns start at 4 (tw + l).
        const p = top + (<usize>(4 * tw) << 2);
        // Rows: e[r][j] = (d[r] B)[j], into the scratch (36 vectors, 16 bytes each, r-major).
        for (let r = 0; r < 6; r++) {
          const q = p + <usize>r * wpb;
          const a0 = v128.load(q), a1 = v128.load(q, 16), a2 = v128.load(q, 32), a3 = v128.load(q, 48), a4 = v128.load(q, 64);
          const t0 = v128.shuffle<f32>(a0, a1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(a0, a1, 2, 6, 3, 7);
          const t2 = v128.shuffle<f32>(a2, a3, 0, 4, 1, 5), t3 = v128.shuffle<f32>(a2, a3, 2, 6, 3, 7);
          const c0 = v128.shuffle<f32>(t0, t2, 0, 1, 4, 5), c1 = v128.shuffle<f32>(t0, t2, 2, 3, 6, 7);
          const c2 = v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), c3 = v128.shuffle<f32>(t1, t3, 2, 3, 6, 7);
          const c4 = v128.shuffle<f32>(c0, a4, 1, 2, 3, 4), c5 = v128.shuffle<f32>(c1, a4, 1, 2, 3, 5);
          bt6(c0, c1, c2, c3, c4, c5, e + <usize>(r * 6) * 16, 16);
        }
        const n = min(4, tilesW - tw);
        // Columns: V[i][j] = (B^T e)[i][j], stored at xi = 6 i + j (n valid lanes).
        for (let j = 0; j < 6; j++) {
          const q = e + <usize>j * 16;
          const f = e + 36 * 16;
          const d0 = v128.load(q), d1 = v128.load(q, 96), d2 = v128.load(q, 192), d3 = v128.load(q, 288), d4 = v128.load(q, 384), d5 = v128.load(q, 480);
          if (n == 4) {
            bt6(d0, d1, d2, d3, d4, d5, out + <usize>j * xiStride, 6 * xiStride);
          } else {
            bt6(d0, d1, d2, d3, d4, d5, f, 16);
            for (let i = 0; i < 6; i++) storeTail(out + <usize>(6 * i + j) * xiStride, v128.load(f + <usize>i * 16), <usize>n);
          }
        }
        out += <usize>n << 2;
      }
    }
  }
}

/** A^T m for six vectors m0..m5: the four results. */
// @ts-ignore: decorator
@inline
function at6(m0: v128, m1: v128, m2: v128, m3: v128, m4: v128, m5: v128, p: usize, step: usize): void {
  const a = f32x4.add(m1, m2), b = f32x4.sub(m1, m2), c = f32x4.add(m3, m4), d = f32x4.sub(m3, m4);
  v128.store(p, f32x4.add(f32x4.add(m0, a), c));
  v128.store(p + step, f32x4.add(b, f32x4.mul(f32x4.splat(2), d)));
  v128.store(p + 2 * step, f32x4.add(a, f32x4.mul(f32x4.splat(4), c)));
  v128.store(p + 3 * step, f32x4.add(f32x4.add(b, f32x4.mul(f32x4.splat(8), d)), m5));
}

// @ts-ignore: decorator
@inline
function loadFirst(p: usize, n: i32): v128 {
  return n == 4 ? v128.load(p) : loadTail(p, <usize>n, 0);
}

/** act(madd(v, s, t) + r): f32_channel_affine_act's epilogue on four outputs (r: 0 for none). */
// @ts-ignore: decorator
@inline
function finish(v: v128, s: v128, t: v128, r: usize, relu: bool): v128 {
  v = madd(v, s, t);
  if (r != 0) v = f32x4.add(v, v128.load(r));
  if (relu) {
    const zero = f32x4.splat(0);
    v = v128.bitselect(zero, v, f32x4.lt(v, zero));
  }
  return v;
}

/**
 * y[o][4th + i][4tw + j] = act(s[o] (A^T M A)[i][j] + t[o] + r[o][4th + i][4tw + j]) for output
 * channels o0..o1 and the tiles of tile rows th0..th1 of one image (y and r: [OC, OH, OW]);
 * M[xi][o][col + t] (xi-major, OC rows of ldm floats per xi) as the GEMMs left it. scale / shift: OC
 * floats or 0 (1 / 0); residual: 0 for none. Outputs past OH or OW are not written. scratch: 42 v128.
 */
export function f32_winograd_4x4_3x3_output(
  m: usize, OC: i32, ldm: i32, col: i32, th0: i32, th1: i32, tilesW: i32, o0: i32, o1: i32,
  scale: usize, shift: usize, residual: usize, relu: i32, y: usize, OH: i32, OW: i32, scratch: usize,
): void {
  const xiStride = <usize>OC * <usize>ldm << 2;
  const owb = <usize>OW << 2;
  const doRelu = relu != 0;
  const s = scratch;
  for (let o = o0; o < o1; o++) {
    const sv = f32x4.splat(scale != 0 ? load<f32>(scale + (<usize>o << 2)) : 1);
    const tv = f32x4.splat(shift != 0 ? load<f32>(shift + (<usize>o << 2)) : 0);
    const planeOff = <usize>o * <usize>OH * <usize>OW << 2;
    let src = m + ((<usize>o * <usize>ldm + <usize>col) << 2);
    for (let th = th0; th < th1; th++) {
      const rowsOut = min(4, OH - 4 * th);
      for (let tw = 0; tw < tilesW; tw += 4) {
        const n = min(4, tilesW - tw);
        // Rows: s[i][j] = (A^T M)[i][j] into the scratch (i-major, 6 vectors a row).
        for (let j = 0; j < 6; j++) {
          const q = src + <usize>j * xiStride;
          const m0 = loadFirst(q, n), m1 = loadFirst(q + 6 * xiStride, n), m2 = loadFirst(q + 12 * xiStride, n);
          const m3 = loadFirst(q + 18 * xiStride, n), m4 = loadFirst(q + 24 * xiStride, n), m5 = loadFirst(q + 30 * xiStride, n);
          at6(m0, m1, m2, m3, m4, m5, s + <usize>j * 16, 96);
        }
        const ow = 4 * tw;
        const cols = min(16, OW - ow);
        for (let i = 0; i < rowsOut; i++) {
          // Columns: Y[i][j] = (s A)[i][j], lane l = tile tw + l; transposed, vector l holds tile
          // tw + l's four outputs, i.e. the 16 outputs of the row from column 4 tw are y0 y1 y2 y3.
          const q = s + <usize>(i * 6) * 16;
          at6(v128.load(q), v128.load(q, 16), v128.load(q, 32), v128.load(q, 48), v128.load(q, 64), v128.load(q, 80), s + 24 * 16, 16);
          const f = s + 24 * 16;
          const a = v128.load(f), b = v128.load(f, 16), c = v128.load(f, 32), d = v128.load(f, 48);
          const t0 = v128.shuffle<f32>(a, b, 0, 4, 1, 5), t1 = v128.shuffle<f32>(a, b, 2, 6, 3, 7);
          const t2 = v128.shuffle<f32>(c, d, 0, 4, 1, 5), t3 = v128.shuffle<f32>(c, d, 2, 6, 3, 7);
          const y0 = v128.shuffle<f32>(t0, t2, 0, 1, 4, 5), y1 = v128.shuffle<f32>(t0, t2, 2, 3, 6, 7);
          const y2 = v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), y3 = v128.shuffle<f32>(t1, t3, 2, 3, 6, 7);
          const at = planeOff + <usize>(4 * th + i) * owb + (<usize>ow << 2);
          const dst = y + at;
          if (cols == 16) {
            const r = residual == 0 ? <usize>0 : residual + at;
            v128.store(dst, finish(y0, sv, tv, r, doRelu));
            v128.store(dst, finish(y1, sv, tv, r == 0 ? 0 : r + 16, doRelu), 16);
            v128.store(dst, finish(y2, sv, tv, r == 0 ? 0 : r + 32, doRelu), 32);
            v128.store(dst, finish(y3, sv, tv, r == 0 ? 0 : r + 48, doRelu), 48);
          } else {
            storePart(dst, residual == 0 ? 0 : residual + at, y0, 0, cols, sv, tv, doRelu, f);
            storePart(dst, residual == 0 ? 0 : residual + at, y1, 1, cols, sv, tv, doRelu, f);
            storePart(dst, residual == 0 ? 0 : residual + at, y2, 2, cols, sv, tv, doRelu, f);
            storePart(dst, residual == 0 ? 0 : residual + at, y3, 3, cols, sv, tv, doRelu, f);
          }
        }
        src += <usize>n << 2;
      }
    }
  }
}

/**
 * Vector k (outputs 4k .. 4k + 3 of a row piece starting at dst) when only the first `cols` of the
 * piece's 16 outputs exist: its residual read through `tmp` (16 bytes) so nothing past the row is read.
 */
// @ts-ignore: decorator
@inline
function storePart(dst: usize, res: usize, v: v128, k: i32, cols: i32, sv: v128, tv: v128, relu: bool, tmp: usize): void {
  const n = cols - 4 * k;
  if (n <= 0) return;
  const off = <usize>k * 16;
  if (n >= 4) {
    v128.store(dst + off, finish(v, sv, tv, res == 0 ? 0 : res + off, relu));
    return;
  }
  let r: usize = 0;
  if (res != 0) {
    v128.store(tmp, loadTail(res + off, <usize>n, 0));
    r = tmp;
  }
  storeTail(dst + off, finish(v, sv, tv, r, relu), <usize>n);
}
