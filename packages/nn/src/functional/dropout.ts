/** Inverted dropout: zero each element with probability p and scale the rest by 1/(1-p). */
import { Tensor } from '../tensor/tensor.js';
import { defaultGenerator, type Generator } from '../random/generator.js';
import { mul } from './elementwise.js';
import { defineOp } from '../check/operands.js';
import { bool, num } from '../check/options.js';

export const dropout = defineOp('dropout', 'x p:number', function dropout(x: Tensor, p: number, training: boolean, generator: Generator = defaultGenerator): Tensor {
  num('dropout', 'p', p, 0, 1);
  bool('dropout', 'training', training);
  if (!training || p === 0) return x;
  const mask = Tensor.empty(x.shape);
  const d = mask.data;
  if (p === 1) {
    d.fill(0);
  } else {
    const keep = 1 / (1 - p);
    for (let i = 0; i < d.length; i++) d[i] = generator.uniform() < p ? 0 : keep;
  }
  return mul(x, mask);
});
