/** The rows of x [n, d] projected on their first two principal components (power iteration with deflation). */
export function pca2(x: ArrayLike<number>, n: number, d: number): { points: Float64Array; explained: number } {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j]! / n;
  const cov = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < d; a++) {
      const va = x[i * d + a]! - mean[a]!;
      for (let b = a; b < d; b++) cov[a * d + b] += (va * (x[i * d + b]! - mean[b]!)) / n;
    }
  }
  let total = 0;
  for (let a = 0; a < d; a++) {
    total += cov[a * d + a]!;
    for (let b = 0; b < a; b++) cov[a * d + b] = cov[b * d + a]!;
  }
  const comps: Float64Array[] = [];
  let captured = 0;
  for (let c = 0; c < 2; c++) {
    let v = Float64Array.from({ length: d }, (_, j) => 1 + ((j * 7919) % 13) / 13);
    let lambda = 0;
    for (let it = 0; it < 300; it++) {
      const w = new Float64Array(d);
      for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) w[a] += cov[a * d + b]! * v[b]!;
      for (const u of comps) {
        let dot = 0;
        for (let j = 0; j < d; j++) dot += w[j]! * u[j]!;
        for (let j = 0; j < d; j++) w[j] -= dot * u[j]!;
      }
      let norm = 0;
      for (let j = 0; j < d; j++) norm += w[j]! * w[j]!;
      norm = Math.sqrt(norm) || 1;
      lambda = norm;
      v = w.map((wi) => wi / norm);
    }
    comps.push(v);
    captured += lambda;
  }
  const points = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 2; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += (x[i * d + j]! - mean[j]!) * comps[c]![j]!;
      points[i * 2 + c] = s;
    }
  }
  return { points, explained: total > 0 ? captured / total : 0 };
}
