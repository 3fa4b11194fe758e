// Adagrad (torch.optim.Adagrad): g = g + wd * p; sum = sum + g * g; p = p - clr * g / (sqrt(sum) + eps),
// with clr = lr / (1 + (t - 1) * lr_decay) from the caller.
export function f32_adagrad(p: usize, g: usize, sum: usize, n: i32, clr: f32, eps: f32, wd: f32): void {
  const vclr = f32x4.splat(clr), veps = f32x4.splat(eps), vwd = f32x4.splat(wd);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const pv = v128.load(p + o);
    let gv = v128.load(g + o);
    if (wd != 0) gv = f32x4.add(gv, f32x4.mul(vwd, pv));
    const s = f32x4.add(v128.load(sum + o), f32x4.mul(gv, gv));
    v128.store(sum + o, s);
    v128.store(p + o, f32x4.sub(pv, f32x4.mul(vclr, f32x4.div(gv, f32x4.add(f32x4.sqrt(s), veps)))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const pv = load<f32>(p + o);
    let gv = load<f32>(g + o);
    if (wd != 0) gv = gv + wd * pv;
    const s = load<f32>(sum + o) + gv * gv;
    store<f32>(sum + o, s);
    store<f32>(p + o, pv - clr * (gv / (sqrt<f32>(s) + eps)));
  }
}
