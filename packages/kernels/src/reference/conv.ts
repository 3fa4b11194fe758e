/** Plain references for convolution and pooling (direct loops, float64 sums), NCHW. */
import { convOutputSize, type Conv2dGeometry } from '../ops/conv.js';
import { poolOutputSize, type Pool2dGeometry } from '../ops/pool.js';

type A = ArrayLike<number>;

function each(g: Conv2dGeometry, f: (n: number, o: number, oh: number, ow: number, c: number, kh: number, kw: number, ih: number, iw: number) => void): void {
  const OH = convOutputSize(g.H, g.KH, g.strideH, g.padH, g.dilationH);
  const OW = convOutputSize(g.W, g.KW, g.strideW, g.padW, g.dilationW);
  const cg = g.C / g.groups;
  const og = g.OC / g.groups;
  for (let n = 0; n < g.N; n++)
    for (let o = 0; o < g.OC; o++) {
      const gr = Math.floor(o / og);
      for (let oh = 0; oh < OH; oh++)
        for (let ow = 0; ow < OW; ow++)
          for (let c = 0; c < cg; c++)
            for (let kh = 0; kh < g.KH; kh++)
              for (let kw = 0; kw < g.KW; kw++) {
                const ih = oh * g.strideH - g.padH + kh * g.dilationH;
                const iw = ow * g.strideW - g.padW + kw * g.dilationW;
                if (ih < 0 || ih >= g.H || iw < 0 || iw >= g.W) continue;
                f(n, o, oh, ow, gr * cg + c, kh, kw, ih, iw);
              }
    }
}

export function conv2dReference(g: Conv2dGeometry, x: A, w: A, b: A | null): Float64Array {
  const OH = convOutputSize(g.H, g.KH, g.strideH, g.padH, g.dilationH);
  const OW = convOutputSize(g.W, g.KW, g.strideW, g.padW, g.dilationW);
  const cg = g.C / g.groups;
  const y = new Float64Array(g.N * g.OC * OH * OW);
  for (let n = 0; n < g.N; n++) for (let o = 0; o < g.OC; o++) for (let p = 0; p < OH * OW; p++) y[(n * g.OC + o) * OH * OW + p] = b ? b[o]! : 0;
  each(g, (n, o, oh, ow, c, kh, kw, ih, iw) => {
    y[((n * g.OC + o) * OH + oh) * OW + ow] += x[((n * g.C + c) * g.H + ih) * g.W + iw]! * w[((o * cg + (c % cg)) * g.KH + kh) * g.KW + kw]!;
  });
  return y;
}

export function conv2dBackwardReference(g: Conv2dGeometry, x: A, w: A, dy: A): { dx: Float64Array; dw: Float64Array; db: Float64Array } {
  const OH = convOutputSize(g.H, g.KH, g.strideH, g.padH, g.dilationH);
  const OW = convOutputSize(g.W, g.KW, g.strideW, g.padW, g.dilationW);
  const cg = g.C / g.groups;
  const dx = new Float64Array(g.N * g.C * g.H * g.W);
  const dw = new Float64Array(g.OC * cg * g.KH * g.KW);
  const db = new Float64Array(g.OC);
  for (let n = 0; n < g.N; n++) for (let o = 0; o < g.OC; o++) for (let p = 0; p < OH * OW; p++) db[o] += dy[(n * g.OC + o) * OH * OW + p]!;
  each(g, (n, o, oh, ow, c, kh, kw, ih, iw) => {
    const gy = dy[((n * g.OC + o) * OH + oh) * OW + ow]!;
    const wi = ((o * cg + (c % cg)) * g.KH + kh) * g.KW + kw;
    const xi = ((n * g.C + c) * g.H + ih) * g.W + iw;
    dx[xi] += gy * w[wi]!;
    dw[wi] += gy * x[xi]!;
  });
  return { dx, dw, db };
}

export function maxPool2dReference(g: Pool2dGeometry, x: A): Float64Array {
  const dh = g.dilationH ?? 1;
  const dwl = g.dilationW ?? 1;
  const { OH, OW } = poolOutputSize(g, 'maxPool2dReference');
  const y = new Float64Array(g.planes * OH * OW).fill(-Infinity);
  for (let p = 0; p < g.planes; p++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++)
        for (let kh = 0; kh < g.KH; kh++)
          for (let kw = 0; kw < g.KW; kw++) {
            const ih = oh * g.strideH - g.padH + kh * dh;
            const iw = ow * g.strideW - g.padW + kw * dwl;
            if (ih < 0 || ih >= g.H || iw < 0 || iw >= g.W) continue;
            const at = (p * OH + oh) * OW + ow;
            y[at] = Math.max(y[at]!, x[(p * g.H + ih) * g.W + iw]!);
          }
  return y;
}

export function avgPool2dReference(g: Pool2dGeometry, x: A, countIncludePad = true): Float64Array {
  const { OH, OW } = poolOutputSize(g, 'avgPool2dReference');
  const y = new Float64Array(g.planes * OH * OW);
  for (let p = 0; p < g.planes; p++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++) {
        let s = 0;
        let inside = 0;
        for (let kh = 0; kh < g.KH; kh++)
          for (let kw = 0; kw < g.KW; kw++) {
            const ih = oh * g.strideH - g.padH + kh;
            const iw = ow * g.strideW - g.padW + kw;
            if (ih < 0 || ih >= g.H || iw < 0 || iw >= g.W) continue;
            s += x[(p * g.H + ih) * g.W + iw]!;
            inside++;
          }
        const h0 = oh * g.strideH - g.padH;
        const w0 = ow * g.strideW - g.padW;
        const padded = (Math.min(h0 + g.KH, g.H + g.padH) - h0) * (Math.min(w0 + g.KW, g.W + g.padW) - w0);
        y[(p * OH + oh) * OW + ow] = s / (countIncludePad ? padded : inside);
      }
  return y;
}
