// im2col / col2im for one NCHW image: the patches a convolution reads, laid out as a
// [channels * KH * KW, OH * OW] block of a matrix whose rows are `ld` floats long, so the images of
// a batch sit side by side and a group's convolution over the whole batch is one GEMM
// (weights [OC, C*KH*KW] times columns [C*KH*KW, N*OH*OW]).
// Out-of-image taps (zero padding) read as 0 and are skipped on the way back.

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
            memory.fill(out, 0, <usize>OW << 2);
            continue;
          }
          const src = plane + (<usize>(ih * W) << 2);
          if (owLo > 0) memory.fill(out, 0, <usize>owLo << 2);
          if (SW == 1) {
            // Short rows: a v128 loop beats memory.copy's call overhead.
            const d = out + (<usize>owLo << 2);
            const s = src + (<usize>(owLo + dx) << 2);
            const n = owHi - owLo;
            let j = 0;
            for (; j + 4 <= n; j += 4) v128.store(d + (<usize>j << 2), v128.load(s + (<usize>j << 2)));
            for (; j < n; j++) store<f32>(d + (<usize>j << 2), load<f32>(s + (<usize>j << 2)));
          } else {
            for (let ow = owLo; ow < owHi; ow++) {
              store<f32>(out + (<usize>ow << 2), load<f32>(src + (<usize>(ow * SW + dx) << 2)));
            }
          }
          if (owHi < OW) memory.fill(out + (<usize>owHi << 2), 0, <usize>(OW - owHi) << 2);
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
          if (ih < 0 || ih >= H) continue;
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
            for (let ow = owLo; ow < owHi; ow++) {
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
