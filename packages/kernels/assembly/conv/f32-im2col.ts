// im2col / col2im for one NCHW image: the patches a convolution reads, laid out as a
// [channels * KH * KW, OH * OW] block of a matrix whose rows are `ld` floats long, so the images of
// a batch sit side by side and a group's convolution over the whole batch is one GEMM
// (weights [OC, C*KH*KW] times columns [C*KH*KW, N*OH*OW]).
// Out-of-image taps (zero padding) read as 0 and are skipped on the way back.
// Rows of small images are short (7 floats for a 14x14 input at stride 2), so zeros are stored in
// place: memory.fill is a call into the engine, and its overhead once dominated such rows.

/** n zeros from dst, stored inline (n is a short row's margin or a whole short row). */
// @ts-ignore: decorator
@inline
function zeros(dst: usize, n: i32): void {
  let j = 0;
  for (; j + 4 <= n; j += 4) v128.store(dst + (<usize>j << 2), f32x4.splat(0));
  for (; j < n; j++) store<f32>(dst + (<usize>j << 2), 0);
}

/**
 * cols[(c*KH + kh)*KW + kw][oh*OW + ow] = x[c][oh*SH - PH + kh*DH][ow*SW - PW + kw*DW] (0 outside).
 * x points at the first of `C` channels of an H x W image.
 */
export function f32_im2col(
  x: usize, C: i32, H: i32, W: i32, KH: i32, KW: i32,
  SH: i32, SW: i32, PH: i32, PW: i32, DH: i32, DW: i32, OH: i32, OW: i32, cols: usize, ld: i32,
): void {
  let row = cols;
  const rowBytes = <usize>ld << 2;
  for (let c = 0; c < C; c++) {
    const plane = x + (<usize>(c * H * W) << 2);
    for (let kh = 0; kh < KH; kh++) {
      for (let kw = 0; kw < KW; kw++) {
        const dx = kw * DW - PW;
        // Output columns whose input column lies inside [0, W): ow in [owLo, owHi).
        let owLo = dx >= 0 ? 0 : (-dx + SW - 1) / SW;
        let owHi = W - dx > 0 ? (W - dx + SW - 1) / SW : 0;
        if (owHi > OW) owHi = OW;
        if (owLo > owHi) owLo = owHi;
        for (let oh = 0; oh < OH; oh++) {
          const ih = oh * SH - PH + kh * DH;
          const out = row + (<usize>(oh * OW) << 2);
          if (ih < 0 || ih >= H) {
            zeros(out, OW);
            continue;
          }
          const src = plane + (<usize>(ih * W) << 2);
          if (owLo > 0) zeros(out, owLo);
          if (SW == 1) {
            // Short rows: a v128 loop beats memory.copy's call overhead.
            const d = out + (<usize>owLo << 2);
            const s = src + (<usize>(owLo + dx) << 2);
            const n = owHi - owLo;
            let j = 0;
            for (; j + 4 <= n; j += 4) v128.store(d + (<usize>j << 2), v128.load(s + (<usize>j << 2)));
            if (j < n && n >= 4) {
              // The last 1-3 floats as the row's last vector, over floats already copied (LeNet C3's
              // rows of 10: im2col of a chunk of 4 images 43 -> 41 us here).
              const t = <usize>(n - 4) << 2;
              v128.store(d + t, v128.load(s + t));
            } else {
              for (; j < n; j++) store<f32>(d + (<usize>j << 2), load<f32>(s + (<usize>j << 2)));
            }
          } else {
            let ow = owLo;
            if (SW == 2) {
              // Stride 2: the even lanes of 8 consecutive inputs, while all 8 lie inside the row.
              for (; ow + 4 <= owHi && (ow + 3) * 2 + dx + 1 < W; ow += 4) {
                const s = src + (<usize>(ow * 2 + dx) << 2);
                v128.store(out + (<usize>ow << 2), v128.shuffle<f32>(v128.load(s), v128.load(s, 16), 0, 2, 4, 6));
              }
            }
            for (; ow < owHi; ow++) {
              store<f32>(out + (<usize>ow << 2), load<f32>(src + (<usize>(ow * SW + dx) << 2)));
            }
          }
          if (owHi < OW) zeros(out + (<usize>owHi << 2), OW - owHi);
        }
        row += rowBytes;
      }
    }
  }
}

/** The adjoint of im2col: dx[c][ih][iw] += every column entry that read it. */
export function f32_col2im(
  cols: usize, C: i32, H: i32, W: i32, KH: i32, KW: i32,
  SH: i32, SW: i32, PH: i32, PW: i32, DH: i32, DW: i32, OH: i32, OW: i32, dx: usize, ld: i32,
): void {
  f32_col2im_rows(cols, C, H, W, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW, dx, ld, 0, H);
}

/**
 * f32_col2im for the input rows [ih0, ih1) of every channel only: each input still gathers its terms
 * in the order of the taps, so threads taking disjoint row ranges of one image (VGG conv1 at batch 1:
 * 3 channels, which split by channels into 3 tasks) add the same bits as one call.
 */
export function f32_col2im_rows(
  cols: usize, C: i32, H: i32, W: i32, KH: i32, KW: i32,
  SH: i32, SW: i32, PH: i32, PW: i32, DH: i32, DW: i32, OH: i32, OW: i32, dx: usize, ld: i32, ih0: i32, ih1: i32,
): void {
  let row = cols;
  const rowBytes = <usize>ld << 2;
  for (let c = 0; c < C; c++) {
    const plane = dx + (<usize>(c * H * W) << 2);
    for (let kh = 0; kh < KH; kh++) {
      for (let kw = 0; kw < KW; kw++) {
        const dxo = kw * DW - PW;
        let owLo = dxo >= 0 ? 0 : (-dxo + SW - 1) / SW;
        let owHi = W - dxo > 0 ? (W - dxo + SW - 1) / SW : 0;
        if (owHi > OW) owHi = OW;
        if (owLo > owHi) owLo = owHi;
        for (let oh = 0; oh < OH; oh++) {
          const ih = oh * SH - PH + kh * DH;
          if (ih < ih0 || ih >= ih1) continue;
          const src = row + (<usize>(oh * OW) << 2);
          const dst = plane + (<usize>(ih * W) << 2);
          if (SW == 1) {
            let ow = owLo;
            for (; ow + 4 <= owHi; ow += 4) {
              const d = dst + (<usize>(ow + dxo) << 2);
              v128.store(d, f32x4.add(v128.load(d), v128.load(src + (<usize>ow << 2))));
            }
            for (; ow < owHi; ow++) {
              const d = dst + (<usize>(ow + dxo) << 2);
              store<f32>(d, load<f32>(d) + load<f32>(src + (<usize>ow << 2)));
            }
          } else {
            let ow = owLo;
            if (SW == 2) {
              // Stride 2: 4 values interleaved with zeros onto 8 consecutive floats inside the row.
              const z = f32x4.splat(0);
              for (; ow + 4 <= owHi && (ow + 3) * 2 + dxo + 1 < W; ow += 4) {
                const d = dst + (<usize>(ow * 2 + dxo) << 2);
                const v = v128.load(src + (<usize>ow << 2));
                v128.store(d, f32x4.add(v128.load(d), v128.shuffle<f32>(v, z, 0, 4, 1, 4)));
                v128.store(d, f32x4.add(v128.load(d, 16), v128.shuffle<f32>(v, z, 2, 4, 3, 4)), 16);
              }
            }
            for (; ow < owHi; ow++) {
              const d = dst + (<usize>(ow * SW + dxo) << 2);
              store<f32>(d, load<f32>(d) + load<f32>(src + (<usize>ow << 2)));
            }
          }
        }
        row += rowBytes;
      }
    }
  }
}

// Small outputs (rows of a few floats, as in a DCGAN's 7x7 and 14x14 maps) spend more on the per-row
// bookkeeping above than on moving data. There, a table computed once per geometry maps each tap t
// (kh * KW + kw) and output pixel j (oh * OW + ow) to the input pixel it reads (ih * W + iw), or -1 in
// the padding; a row of the columns is then P gathers from one channel's plane.

/** cols[c * T + t][j] = x[c][table[t * P + j]] (0 where the entry is -1), for C channels of HW floats. */
export function f32_im2col_table(x: usize, C: i32, HW: i32, T: i32, P: i32, table: usize, cols: usize, ld: i32): void {
  const rowBytes = <usize>ld << 2;
  let row = cols;
  for (let c = 0; c < C; c++) {
    const plane = x + (<usize>(c * HW) << 2);
    for (let t = 0; t < T; t++) {
      const tab = table + (<usize>(t * P) << 2);
      for (let j = 0; j < P; j++) {
        const i = load<i32>(tab + (<usize>j << 2));
        store<f32>(row + (<usize>j << 2), i >= 0 ? load<f32>(plane + (<usize>i << 2)) : 0);
      }
      row += rowBytes;
    }
  }
}

/**
 * The adjoint: dx[c][table[t * P + j]] += cols[c * T + t][j]. The pixels of one tap are distinct,
 * so every input gathers its terms in the order of the rows, as f32_col2im adds them.
 */
export function f32_col2im_table(cols: usize, C: i32, HW: i32, T: i32, P: i32, table: usize, dx: usize, ld: i32): void {
  const rowBytes = <usize>ld << 2;
  let row = cols;
  for (let c = 0; c < C; c++) {
    const plane = dx + (<usize>(c * HW) << 2);
    for (let t = 0; t < T; t++) {
      const tab = table + (<usize>(t * P) << 2);
      for (let j = 0; j < P; j++) {
        const i = load<i32>(tab + (<usize>j << 2));
        if (i >= 0) {
          const d = plane + (<usize>i << 2);
          store<f32>(d, load<f32>(d) + load<f32>(row + (<usize>j << 2)));
        }
      }
      row += rowBytes;
    }
  }
}
