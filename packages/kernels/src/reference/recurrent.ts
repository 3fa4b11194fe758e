/**
 * Plain float64 references for the fused recurrent cells, written straight from the equations, one
 * scalar at a time. Same contracts as the kernels (see assembly/recurrent/*), but pure: inputs are
 * arrays, results come back as new arrays.
 */
type Arr = ArrayLike<number>;

const sig = (x: number): number => 1 / (1 + Math.exp(-x));
const rowOn = (mask: Arr | null, b: number): boolean => mask === null || mask[b] !== 0;

export function lstmCellReference(B: number, H: number, gates: Arr, cPrev: Arr, hPrev: Arr, mask: Arr | null = null) {
  const acts = Float64Array.from(gates);
  const c = new Float64Array(B * H);
  const h = new Float64Array(B * H);
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < H; j++) {
      const o = b * H + j;
      if (!rowOn(mask, b)) {
        c[o] = cPrev[o]!;
        h[o] = hPrev[o]!;
        continue;
      }
      const g0 = b * 4 * H + j;
      const i = (acts[g0] = sig(gates[g0]!));
      const f = (acts[g0 + H] = sig(gates[g0 + H]!));
      const g = (acts[g0 + 2 * H] = Math.tanh(gates[g0 + 2 * H]!));
      const og = (acts[g0 + 3 * H] = sig(gates[g0 + 3 * H]!));
      c[o] = f * cPrev[o]! + i * g;
      h[o] = og * Math.tanh(c[o]!);
    }
  }
  return { acts, c, h };
}

export function lstmCellBackwardReference(
  B: number, H: number, acts: Arr, cPrev: Arr, c: Arr, dy: Arr | null, dh: Arr, dc: Arr, mask: Arr | null = null,
) {
  const dgates = new Float64Array(B * 4 * H);
  const dhOut = Float64Array.from(dh);
  const dcOut = Float64Array.from(dc);
  for (let b = 0; b < B; b++) {
    if (!rowOn(mask, b)) continue;
    for (let j = 0; j < H; j++) {
      const o = b * H + j;
      const g0 = b * 4 * H + j;
      const [i, f, g, og] = [acts[g0]!, acts[g0 + H]!, acts[g0 + 2 * H]!, acts[g0 + 3 * H]!];
      const dhv = dh[o]! + (dy ? dy[o]! : 0);
      const tc = Math.tanh(c[o]!);
      const dct = dc[o]! + dhv * og * (1 - tc * tc);
      dgates[g0] = dct * g * i * (1 - i);
      dgates[g0 + H] = dct * cPrev[o]! * f * (1 - f);
      dgates[g0 + 2 * H] = dct * i * (1 - g * g);
      dgates[g0 + 3 * H] = dhv * tc * og * (1 - og);
      dcOut[o] = dct * f;
      dhOut[o] = 0;
    }
  }
  return { dgates, dh: dhOut, dc: dcOut };
}

export function gruCellReference(B: number, H: number, gx: Arr, gh: Arr, hPrev: Arr, mask: Arr | null = null) {
  const acts = Float64Array.from(gx);
  const h = new Float64Array(B * H);
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < H; j++) {
      const o = b * H + j;
      if (!rowOn(mask, b)) {
        h[o] = hPrev[o]!;
        continue;
      }
      const g0 = b * 3 * H + j;
      const r = (acts[g0] = sig(gx[g0]! + gh[g0]!));
      const z = (acts[g0 + H] = sig(gx[g0 + H]! + gh[g0 + H]!));
      const n = (acts[g0 + 2 * H] = Math.tanh(gx[g0 + 2 * H]! + r * gh[g0 + 2 * H]!));
      h[o] = (1 - z) * n + z * hPrev[o]!;
    }
  }
  return { acts, h };
}

export function gruCellBackwardReference(
  B: number, H: number, acts: Arr, gh: Arr, hPrev: Arr, dy: Arr | null, dh: Arr, mask: Arr | null = null,
) {
  const dgx = new Float64Array(B * 3 * H);
  const dgh = new Float64Array(B * 3 * H);
  const dhOut = Float64Array.from(dh);
  for (let b = 0; b < B; b++) {
    if (!rowOn(mask, b)) continue;
    for (let j = 0; j < H; j++) {
      const o = b * H + j;
      const g0 = b * 3 * H + j;
      const [r, z, n] = [acts[g0]!, acts[g0 + H]!, acts[g0 + 2 * H]!];
      const dhv = dh[o]! + (dy ? dy[o]! : 0);
      const dz = dhv * (hPrev[o]! - n) * z * (1 - z);
      const dn = dhv * (1 - z) * (1 - n * n);
      const dr = dn * gh[g0 + 2 * H]! * r * (1 - r);
      dgx[g0] = dgh[g0] = dr;
      dgx[g0 + H] = dgh[g0 + H] = dz;
      dgx[g0 + 2 * H] = dn;
      dgh[g0 + 2 * H] = dn * r;
      dhOut[o] = dhv * z;
    }
  }
  return { dgx, dgh, dh: dhOut };
}

export function rnnCellReference(B: number, H: number, pre: Arr, hPrev: Arr, relu: boolean, mask: Arr | null = null) {
  const h = new Float64Array(B * H);
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < H; j++) {
      const o = b * H + j;
      h[o] = !rowOn(mask, b) ? hPrev[o]! : relu ? Math.max(pre[o]!, 0) : Math.tanh(pre[o]!);
    }
  }
  return { h };
}

export function rnnCellBackwardReference(B: number, H: number, h: Arr, dy: Arr | null, dh: Arr, relu: boolean, mask: Arr | null = null) {
  const dpre = new Float64Array(B * H);
  const dhOut = Float64Array.from(dh);
  for (let b = 0; b < B; b++) {
    if (!rowOn(mask, b)) continue;
    for (let j = 0; j < H; j++) {
      const o = b * H + j;
      const d = dh[o]! + (dy ? dy[o]! : 0);
      dpre[o] = relu ? (h[o]! > 0 ? d : 0) : d * (1 - h[o]! * h[o]!);
      dhOut[o] = 0;
    }
  }
  return { dpre, dh: dhOut };
}
