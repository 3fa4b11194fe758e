/** Synthetic data the energy and generative preset tests share: noisy 6x6 bars of three classes. */
import type * as nn from '@deepwasm/nn';

/** Three 6x6 prototypes (a vertical bar, a horizontal bar, a diagonal). */
export function prototypes(): Float32Array[] {
  const p = [new Float32Array(36), new Float32Array(36), new Float32Array(36)];
  for (let i = 0; i < 6; i++) {
    p[0]![i * 6 + 2] = p[0]![i * 6 + 3] = 1;
    p[1]![2 * 6 + i] = p[1]![3 * 6 + i] = 1;
    p[2]![i * 6 + i] = 1;
  }
  return p;
}

/** n samples, row r of class r % 3, each pixel of its prototype flipped with probability 0.05 (one draw per pixel). */
export function bars(n: number, g: nn.Generator): nn.Dataset {
  const protos = prototypes();
  const x = new Float32Array(n * 36), y = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    y[r] = r % 3;
    for (let i = 0; i < 36; i++) x[r * 36 + i] = g.uniform() < 0.05 ? 1 - protos[r % 3]![i]! : protos[r % 3]![i]!;
  }
  return { x, y, count: n, sampleShape: [36] };
}
