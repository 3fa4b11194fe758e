/** Plain references of the fused optimizer updates (float64, elementwise), same argument objects. */
import type { AdadeltaArgs, AdagradArgs, AdamArgs, RmspropArgs, SgdArgs } from '../ops/optim.js';

type F = Float32Array;

export function sgdReference(p: F, g: F, buf: F, a: SgdArgs): void {
  for (let i = 0; i < p.length; i++) {
    let d = g[i]! + a.weightDecay * p[i]!;
    if (a.momentum !== 0) {
      buf[i] = a.first ? d : a.momentum * buf[i]! + (1 - a.dampening) * d;
      d = a.nesterov ? d + a.momentum * buf[i]! : buf[i]!;
    }
    p[i] = p[i]! - a.lr * d;
  }
}

export function adamReference(p: F, g: F, m: F, v: F, vmax: F, a: AdamArgs): void {
  const bc1 = 1 - a.beta1 ** a.step;
  const bc2 = 1 - a.beta2 ** a.step;
  for (let i = 0; i < p.length; i++) {
    let pv = p[i]!;
    let gv = g[i]!;
    if (a.decoupled) pv *= 1 - a.lr * a.weightDecay;
    else gv += a.weightDecay * pv;
    m[i] = m[i]! + (1 - a.beta1) * (gv - m[i]!);
    v[i] = a.beta2 * v[i]! + (1 - a.beta2) * gv * gv;
    let vv = v[i]!;
    if (a.amsgrad) vv = vmax[i] = Math.max(vmax[i]!, vv);
    p[i] = pv - (a.lr / bc1) * (m[i]! / (Math.sqrt(vv) / Math.sqrt(bc2) + a.eps));
  }
}

export function adagradReference(p: F, g: F, sum: F, a: AdagradArgs): void {
  const clr = a.lr / (1 + (a.step - 1) * a.lrDecay);
  for (let i = 0; i < p.length; i++) {
    const gv = g[i]! + a.weightDecay * p[i]!;
    sum[i] = sum[i]! + gv * gv;
    p[i] = p[i]! - (clr * gv) / (Math.sqrt(sum[i]!) + a.eps);
  }
}

export function rmspropReference(p: F, g: F, sq: F, gavg: F, buf: F, a: RmspropArgs): void {
  for (let i = 0; i < p.length; i++) {
    const gv = g[i]! + a.weightDecay * p[i]!;
    sq[i] = a.alpha * sq[i]! + (1 - a.alpha) * gv * gv;
    let avg: number;
    if (a.centered) {
      gavg[i] = gavg[i]! + (1 - a.alpha) * (gv - gavg[i]!);
      avg = Math.sqrt(sq[i]! - gavg[i]! * gavg[i]!) + a.eps;
    } else {
      avg = Math.sqrt(sq[i]!) + a.eps;
    }
    if (a.momentum > 0) {
      buf[i] = a.momentum * buf[i]! + gv / avg;
      p[i] = p[i]! - a.lr * buf[i]!;
    } else {
      p[i] = p[i]! - (a.lr * gv) / avg;
    }
  }
}

export function adadeltaReference(p: F, g: F, sq: F, acc: F, a: AdadeltaArgs): void {
  for (let i = 0; i < p.length; i++) {
    const gv = g[i]! + a.weightDecay * p[i]!;
    sq[i] = a.rho * sq[i]! + (1 - a.rho) * gv * gv;
    const delta = (Math.sqrt(acc[i]! + a.eps) / Math.sqrt(sq[i]! + a.eps)) * gv;
    acc[i] = a.rho * acc[i]! + (1 - a.rho) * delta * delta;
    p[i] = p[i]! - a.lr * delta;
  }
}
