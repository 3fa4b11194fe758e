/**
 * Inverted dropout: zero each element with probability p and scale the rest by 1/(1-p), in training
 * only. The mask is drawn in WASM by the Philox kernels (one pass: draw, mask, scale) under a key of
 * two words taken from the generator, so a seeded run repeats, whatever the thread count. The
 * backward pass draws the same mask again from the same key, on the gradient: no mask is kept.
 */
import { dropoutPhilox, type PhiloxKey } from '@deepwasm/kernels';
import { Tensor, recordOp } from '../tensor/tensor.js';
import { defaultGenerator, type Generator } from '../random/generator.js';
import { defineOp } from '../check/operands.js';
import { bool, checkGenerator, num } from '../check/options.js';

/** out = x * mask, mask_i = 0 with probability p, else 1 / (1 - p) (0 when p = 1), for a key from the generator. */
export function dropoutKey(generator: Generator): PhiloxKey {
  return { k0: generator.nextU32(), k1: generator.nextU32() };
}

/** x times the dropout mask of `key` (the forward pass, and with the same key the backward pass). */
export function applyDropoutMask(x: Tensor, p: number, key: PhiloxKey): Tensor {
  const out = Tensor.empty(x.shape);
  dropoutPhilox(x.k, x.ptr, out.ptr, x.size, p, p === 1 ? 0 : 1 / (1 - p), key);
  return out;
}

export const dropout = defineOp('dropout', 'x p:number', function dropout(x: Tensor, p: number, training: boolean, generator: Generator = defaultGenerator): Tensor {
  num('dropout', 'p', p, 0, 1);
  bool('dropout', 'training', training);
  checkGenerator('dropout', generator);
  if (!training || p === 0) return x;
  const key = dropoutKey(generator);
  return recordOp(applyDropoutMask(x, p, key), 'dropout', [x], (g) => [applyDropoutMask(g, p, key)]);
});
