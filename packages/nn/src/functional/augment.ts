/**
 * Data augmentation for image batches [N, C, H, W]: random translations (zero fill), one random
 * offset per image, from the seedable generator. Not differentiable (it runs on input data).
 */
import { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { defaultGenerator, type Generator } from '../random/generator.js';
import { defineOp } from '../check/operands.js';

export const randomTranslate = defineOp('randomTranslate', 'x maxShift:number', function randomTranslate(x: Tensor, maxShift: number, generator: Generator = defaultGenerator): Tensor {
  if (x.ndim !== 4) throw new Error(`randomTranslate: expected [N, C, H, W], got ${formatShape(x.shape)}`);
  if (!(Number.isInteger(maxShift) && maxShift >= 0)) throw new Error(`randomTranslate: maxShift must be a non-negative integer, got ${maxShift}`);
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const out = Tensor.empty(x.shape);
  const src = x.data;
  const dst = out.data;
  dst.fill(0);
  const span = 2 * maxShift + 1;
  for (let n = 0; n < N; n++) {
    const dy = generator.int(span) - maxShift;
    const dx = generator.int(span) - maxShift;
    const x0 = Math.max(0, dx);
    const x1 = Math.min(W, W + dx);
    for (let c = 0; c < C; c++) {
      const plane = (n * C + c) * H * W;
      for (let y = Math.max(0, dy); y < Math.min(H, H + dy); y++) {
        const to = plane + y * W;
        const from = plane + (y - dy) * W - dx;
        dst.set(src.subarray(from + x0, from + x1), to + x0);
      }
    }
  }
  return out;
});
