// Adadelta (torch.optim.Adadelta):
//   g = g + wd * p
//   sq = rho * sq + (1 - rho) * g * g
//   delta = sqrt(acc + eps) / sqrt(sq + eps) * g
//   acc = rho * acc + (1 - rho) * delta * delta
//   p = p - lr * delta
// w = 1 - rho is formed by the caller in f64 and rounded once (as torch does).
export function f32_adadelta(p: usize, g: usize, sq: usize, acc: usize, n: i32, lr: f32, rho: f32, w: f32, eps: f32, wd: f32): void {
  const vlr = f32x4.splat(lr), vr = f32x4.splat(rho), vrc = f32x4.splat(w), veps = f32x4.splat(eps), vwd = f32x4.splat(wd);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const pv = v128.load(p + o);
    let gv = v128.load(g + o);
    if (wd != 0) gv = f32x4.add(gv, f32x4.mul(vwd, pv));
    const s = f32x4.add(f32x4.mul(vr, v128.load(sq + o)), f32x4.mul(vrc, f32x4.mul(gv, gv)));
    v128.store(sq + o, s);
    const a = v128.load(acc + o);
    const delta = f32x4.mul(f32x4.div(f32x4.sqrt(f32x4.add(a, veps)), f32x4.sqrt(f32x4.add(s, veps))), gv);
    v128.store(acc + o, f32x4.add(f32x4.mul(vr, a), f32x4.mul(vrc, f32x4.mul(delta, delta))));
    v128.store(p + o, f32x4.sub(pv, f32x4.mul(vlr, delta)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const pv = load<f32>(p + o);
    let gv = load<f32>(g + o);
    if (wd != 0) gv = gv + wd * pv;
    const s = rho * load<f32>(sq + o) + w * (gv * gv);
    store<f32>(sq + o, s);
    const a = load<f32>(acc + o);
    const delta = (sqrt<f32>(a + eps) / sqrt<f32>(s + eps)) * gv;
    store<f32>(acc + o, rho * a + w * (delta * delta));
    store<f32>(p + o, pv - lr * delta);
  }
}
