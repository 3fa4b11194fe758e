// RMSprop (torch.optim.RMSprop):
//   g = g + wd * p
//   sq = alpha * sq + (1 - alpha) * g * g
//   centered: gavg = gavg + (1 - alpha) * (g - gavg); avg = sqrt(sq - gavg * gavg) + eps
//   else:     avg = sqrt(sq) + eps
//   momentum > 0: buf = momentum * buf + g / avg; p = p - lr * buf
//   else:         p = p - lr * g / avg
// w = 1 - alpha is formed by the caller in f64 and rounded once (as torch does).
export function f32_rmsprop(
  p: usize, g: usize, sq: usize, gavg: usize, buf: usize, n: i32,
  lr: f32, alpha: f32, w: f32, eps: f32, wd: f32, momentum: f32, centered: i32,
): void {
  const vlr = f32x4.splat(lr), va = f32x4.splat(alpha), vac = f32x4.splat(w);
  const veps = f32x4.splat(eps), vwd = f32x4.splat(wd), vm = f32x4.splat(momentum);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const pv = v128.load(p + o);
    let gv = v128.load(g + o);
    if (wd != 0) gv = f32x4.add(gv, f32x4.mul(vwd, pv));
    const s = f32x4.add(f32x4.mul(va, v128.load(sq + o)), f32x4.mul(vac, f32x4.mul(gv, gv)));
    v128.store(sq + o, s);
    let avg: v128;
    if (centered) {
      let ga = v128.load(gavg + o);
      ga = f32x4.add(ga, f32x4.mul(vac, f32x4.sub(gv, ga)));
      v128.store(gavg + o, ga);
      avg = f32x4.add(f32x4.sqrt(f32x4.sub(s, f32x4.mul(ga, ga))), veps);
    } else {
      avg = f32x4.add(f32x4.sqrt(s), veps);
    }
    if (momentum > 0) {
      const b = f32x4.add(f32x4.mul(vm, v128.load(buf + o)), f32x4.div(gv, avg));
      v128.store(buf + o, b);
      v128.store(p + o, f32x4.sub(pv, f32x4.mul(vlr, b)));
    } else {
      v128.store(p + o, f32x4.sub(pv, f32x4.mul(vlr, f32x4.div(gv, avg))));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const pv = load<f32>(p + o);
    let gv = load<f32>(g + o);
    if (wd != 0) gv = gv + wd * pv;
    const s = alpha * load<f32>(sq + o) + w * (gv * gv);
    store<f32>(sq + o, s);
    let avg: f32;
    if (centered) {
      let ga = load<f32>(gavg + o);
      ga = ga + w * (gv - ga);
      store<f32>(gavg + o, ga);
      avg = sqrt<f32>(s - ga * ga) + eps;
    } else {
      avg = sqrt<f32>(s) + eps;
    }
    if (momentum > 0) {
      const b = momentum * load<f32>(buf + o) + gv / avg;
      store<f32>(buf + o, b);
      store<f32>(p + o, pv - lr * b);
    } else {
      store<f32>(p + o, pv - lr * (gv / avg));
    }
  }
}
