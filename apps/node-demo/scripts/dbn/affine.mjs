import * as nn from '@deepwasm/nn';
/** Random affine warp of [B, 784] digits: rotation within ±deg, scale within 1±sc, shift within ±sh px, bilinear. */
export function affine(deg, sc, sh) {
  return (x, g) => {
    const B = x.shape[0], src = x.toArray(), dst = new Float32Array(src.length);
    for (let n = 0; n < B; n++) {
      const th = ((2 * g.uniform() - 1) * deg * Math.PI) / 180, s = 1 + (2 * g.uniform() - 1) * sc;
      const tx = (2 * g.uniform() - 1) * sh, ty = (2 * g.uniform() - 1) * sh;
      const c = Math.cos(th) / s, si = Math.sin(th) / s;
      const o = n * 784;
      for (let y = 0; y < 28; y++) for (let xx = 0; xx < 28; xx++) {
        const dx = xx - 13.5 - tx, dy = y - 13.5 - ty;
        const u = c * dx + si * dy + 13.5, v = -si * dx + c * dy + 13.5;
        const u0 = Math.floor(u), v0 = Math.floor(v), fu = u - u0, fv = v - v0;
        let acc = 0;
        for (const [yy, xw] of [[v0, 1 - fv], [v0 + 1, fv]]) {
          if (yy < 0 || yy > 27) continue;
          if (u0 >= 0 && u0 <= 27) acc += xw * (1 - fu) * src[o + yy * 28 + u0];
          if (u0 + 1 >= 0 && u0 + 1 <= 27) acc += xw * fu * src[o + yy * 28 + u0 + 1];
        }
        dst[o + y * 28 + xx] = acc;
      }
    }
    return nn.fromArray(dst, x.shape);
  };
}
