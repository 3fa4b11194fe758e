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

/**
 * im2col written straight into the GEMM's A panels for the transposed product Y^T = cols^T W^T:
 * rows are output pixels q = n*OH*OW + oh*OW + ow of `nb` images (image n starts imageStride floats
 * after image n-1), columns are taps (c*KH + kh)*KW + kw. Panel i (pixels 4i..4i+3) holds, for each
 * tap, the four pixels' inputs side by side (pixels past the end are 0), the layout
 * f32_gemm_4x8_packed_a reads. Four pixels in one output row at stride 1 read four consecutive
 * inputs (one v128 load when inside the image); other taps gather the four lanes branch-free, with
 * the per-pixel coordinates worked out once per panel.
 */
export function f32_im2col_panels4(
  x: usize, imageStride: i32, nb: i32, C: i32, H: i32, W: i32, KH: i32, KW: i32,
  SH: i32, SW: i32, PH: i32, PW: i32, DH: i32, DW: i32, OH: i32, OW: i32, dst: usize,
): void {
  const P = OH * OW;
  const M = nb * P;
  const taps = C * KH * KW;
  const panelBytes = <usize>taps << 4;
  const zero = i32x4.splat(0);
  const vH = i32x4.splat(H);
  const vW = i32x4.splat(W);
  for (let q0 = 0; q0 < M; q0 += 4) {
    let out = dst + <usize>(q0 >> 2) * panelBytes;
    // Per lane: image offset, top-left input row and column of the window; lanes past M never fit.
    let img = zero, ihb = i32x4.splat(-0x40000000), iwb = ihb;
    for (let l = 0; l < 4; l++) {
      const q = q0 + l;
      if (q >= M) break;
      const n = q / P;
      const r = q - n * P;
      const oh = r / OW;
      const ow = r - oh * OW;
      if (l == 0) { img = i32x4.replace_lane(img, 0, n * imageStride); ihb = i32x4.replace_lane(ihb, 0, oh * SH - PH); iwb = i32x4.replace_lane(iwb, 0, ow * SW - PW); }
      else if (l == 1) { img = i32x4.replace_lane(img, 1, n * imageStride); ihb = i32x4.replace_lane(ihb, 1, oh * SH - PH); iwb = i32x4.replace_lane(iwb, 1, ow * SW - PW); }
      else if (l == 2) { img = i32x4.replace_lane(img, 2, n * imageStride); ihb = i32x4.replace_lane(ihb, 2, oh * SH - PH); iwb = i32x4.replace_lane(iwb, 2, ow * SW - PW); }
      else { img = i32x4.replace_lane(img, 3, n * imageStride); ihb = i32x4.replace_lane(ihb, 3, oh * SH - PH); iwb = i32x4.replace_lane(iwb, 3, ow * SW - PW); }
    }
    const r0 = q0 % P;
    // Four pixels of one row, stride 1: their inputs for a tap are consecutive.
    const run = SW == 1 && q0 + 4 <= M && (r0 % OW) + 4 <= OW;
    const ih0 = i32x4.extract_lane(ihb, 0);
    const iw0 = i32x4.extract_lane(iwb, 0);
    const img0 = x + (<usize>i32x4.extract_lane(img, 0) << 2);
    for (let c = 0; c < C; c++) {
      for (let kh = 0; kh < KH; kh++) {
        const ih = i32x4.add(ihb, i32x4.splat(kh * DH));
        const rowOk = v128.and(i32x4.ge_s(ih, zero), i32x4.lt_s(ih, vH));
        const rowOff = i32x4.add(img, i32x4.mul(i32x4.add(ih, i32x4.splat(c * H)), vW));
        const ihs = ih0 + kh * DH;
        for (let kw = 0; kw < KW; kw++) {
          if (run) {
            const iws = iw0 + kw * DW;
            if (ihs >= 0 && ihs < H && iws >= 0 && iws + 3 < W) {
              v128.store(out, v128.load(img0 + (<usize>((c * H + ihs) * W + iws) << 2)));
              out += 16;
              continue;
            }
          }
          const iw = i32x4.add(iwb, i32x4.splat(kw * DW));
          const ok = v128.and(rowOk, v128.and(i32x4.ge_s(iw, zero), i32x4.lt_s(iw, vW)));
          // Lanes outside the image read x[0] (always valid memory) and are masked to 0.
          const off = v128.and(i32x4.add(rowOff, iw), ok);
          let v = f32x4.splat(0);
          v = f32x4.replace_lane(v, 0, load<f32>(x + (<usize>i32x4.extract_lane(off, 0) << 2)));
          v = f32x4.replace_lane(v, 1, load<f32>(x + (<usize>i32x4.extract_lane(off, 1) << 2)));
          v = f32x4.replace_lane(v, 2, load<f32>(x + (<usize>i32x4.extract_lane(off, 2) << 2)));
          v = f32x4.replace_lane(v, 3, load<f32>(x + (<usize>i32x4.extract_lane(off, 3) << 2)));
          v128.store(out, v128.and(v, ok));
          out += 16;
        }
      }
    }
  }
}
