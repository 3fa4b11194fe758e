// Adam / AdamW (torch.optim.Adam, torch.optim.AdamW), one pass per parameter tensor:
//   AdamW: p = p * (1 - lr * wd)            Adam: g = g + wd * p
//   m = m + (1 - beta1) * (g - m)           (torch's lerp)
//   v = beta2 * v + (1 - beta2) * g * g
//   vmax = max(vmax, v)                     (amsgrad)
//   p = p - stepSize * m / (sqrt(v or vmax) / bc2Sqrt + eps)
// Every constant is formed by the caller in f64 and rounded once, as torch does with its Python floats:
// w1 = 1 - beta1, w2 = 1 - beta2, stepSize = lr / (1 - beta1^t), bc2Sqrt = sqrt(1 - beta2^t),
// decayFactor = 1 - lr * wd. (1 - f32(0.999) in f32 is 1.3e-5 relatively off 0.001.)
export function f32_adam(
  p: usize, g: usize, m: usize, v: usize, vmax: usize, n: i32,
  stepSize: f32, w1: f32, beta2: f32, w2: f32, eps: f32, bc2Sqrt: f32,
  wd: f32, decayFactor: f32, amsgrad: i32,
): void {
  adam(p, g, m, v, vmax, n, stepSize, w1, beta2, w2, eps, bc2Sqrt, wd, decayFactor, amsgrad);
}

/**
 * The same update over several tensors in one call (torch's foreach Adam: one launch for every
 * parameter of a group, which share their step and options). table: `count` entries of six 32-bit words (pointers unsigned),
 * p, g, m, v, vmax, n, as f32_adam takes them.
 */
export function f32_adam_multi(
  table: usize, count: i32,
  stepSize: f32, w1: f32, beta2: f32, w2: f32, eps: f32, bc2Sqrt: f32,
  wd: f32, decayFactor: f32, amsgrad: i32,
): void {
  for (let e = 0; e < count; e++) {
    const t = table + <usize>(e * 24);
    adam(
      <usize>load<u32>(t), <usize>load<u32>(t, 4), <usize>load<u32>(t, 8), <usize>load<u32>(t, 12), <usize>load<u32>(t, 16), load<i32>(t, 20),
      stepSize, w1, beta2, w2, eps, bc2Sqrt, wd, decayFactor, amsgrad,
    );
  }
}

// @ts-ignore: decorator
@inline
function adam(
  p: usize, g: usize, m: usize, v: usize, vmax: usize, n: i32,
  stepSize: f32, w1: f32, beta2: f32, w2: f32, eps: f32, bc2Sqrt: f32,
  wd: f32, decayFactor: f32, amsgrad: i32,
): void {
  const vb1 = f32x4.splat(w1), vb2 = f32x4.splat(beta2), vb2c = f32x4.splat(w2);
  const veps = f32x4.splat(eps), vbc = f32x4.splat(bc2Sqrt), vstep = f32x4.splat(stepSize);
  const vwd = f32x4.splat(wd), vdecay = f32x4.splat(decayFactor);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    let pv = v128.load(p + o);
    let gv = v128.load(g + o);
    if (decayFactor != 1) pv = f32x4.mul(pv, vdecay);
    if (wd != 0) gv = f32x4.add(gv, f32x4.mul(vwd, pv));
    let mv = v128.load(m + o);
    mv = f32x4.add(mv, f32x4.mul(vb1, f32x4.sub(gv, mv)));
    let vv = f32x4.add(f32x4.mul(v128.load(v + o), vb2), f32x4.mul(vb2c, f32x4.mul(gv, gv)));
    v128.store(m + o, mv);
    v128.store(v + o, vv);
    if (amsgrad) {
      vv = f32x4.max(v128.load(vmax + o), vv);
      v128.store(vmax + o, vv);
    }
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(vv), vbc), veps);
    v128.store(p + o, f32x4.sub(pv, f32x4.mul(vstep, f32x4.div(mv, denom))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    let pv = load<f32>(p + o);
    let gv = load<f32>(g + o);
    if (decayFactor != 1) pv = pv * decayFactor;
    if (wd != 0) gv = gv + wd * pv;
    let mv = load<f32>(m + o);
    mv = mv + w1 * (gv - mv);
    let vv = load<f32>(v + o) * beta2 + w2 * (gv * gv);
    store<f32>(m + o, mv);
    store<f32>(v + o, vv);
    if (amsgrad) {
      vv = max(load<f32>(vmax + o), vv);
      store<f32>(vmax + o, vv);
    }
    const denom = sqrt<f32>(vv) / bc2Sqrt + eps;
    store<f32>(p + o, pv - stepSize * (mv / denom));
  }
}
