// SGD with momentum, dampening, Nesterov and L2 weight decay, in one pass (torch.optim.SGD):
//   d = g + wd * p
//   buf = first ? d : momentum * buf + (1 - dampening) * d        (when momentum != 0)
//   d = nesterov ? d + momentum * buf : buf                       (when momentum != 0)
//   p = p - lr * d
// w = 1 - dampening is formed by the caller in f64 and rounded once (as torch does).
export function f32_sgd(
  p: usize, g: usize, buf: usize, n: i32,
  lr: f32, momentum: f32, w: f32, wd: f32, nesterov: i32, first: i32,
): void {
  const vlr = f32x4.splat(lr), vm = f32x4.splat(momentum), vdamp = f32x4.splat(w), vwd = f32x4.splat(wd);
  const useMomentum = momentum != 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const pv = v128.load(p + o);
    let d = v128.load(g + o);
    if (wd != 0) d = f32x4.add(d, f32x4.mul(vwd, pv));
    if (useMomentum) {
      let b = first ? d : f32x4.add(f32x4.mul(vm, v128.load(buf + o)), f32x4.mul(vdamp, d));
      v128.store(buf + o, b);
      d = nesterov ? f32x4.add(d, f32x4.mul(vm, b)) : b;
    }
    v128.store(p + o, f32x4.sub(pv, f32x4.mul(vlr, d)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const pv = load<f32>(p + o);
    let d = load<f32>(g + o);
    if (wd != 0) d = d + wd * pv;
    if (useMomentum) {
      const b: f32 = first ? d : momentum * load<f32>(buf + o) + w * d;
      store<f32>(buf + o, b);
      d = nesterov ? d + momentum * b : b;
    }
    store<f32>(p + o, pv - lr * d);
  }
}
