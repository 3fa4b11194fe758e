/**
 * The error raised when a freed tensor is used: which tensor, when and why it was freed, and how to
 * keep it. A freed tensor never reads as if it were alive (its memory may already hold another one).
 */
import type { FreeReason } from './scope.js';
import { formatShape } from './shape.js';

interface Described {
  readonly id: number;
  readonly shape: readonly number[];
  readonly name: string | undefined;
  readonly madeAt: number;
}

const KEEP = 'To hold a tensor longer, call keep() on it (and dispose() it when you are done), or copy what you need with item() or toArray() before then.';

function where(r: FreeReason): string {
  return typeof r.where === 'function' ? r.where() : (r.where ?? '');
}

function because(r: FreeReason | null): string {
  if (r === null) return 'its memory was released';
  switch (r.why) {
    case 'dispose':
      return `by dispose() during step ${r.step}`;
    case 'tidy':
      return `when the tidy() it was made in returned (step ${r.step}): it was neither returned nor kept. ${KEEP}`;
    case 'module':
      return (
        `when ${where(r)} returned (step ${r.step}): it was an intermediate of that call that neither its ` +
        `result nor its gradient graph needed. ${KEEP}`
      );
    case 'backward':
      return (
        `by backward() in step ${r.step}, which released the gradient graph that alone held it (a layer's ` +
        `saved activation). Pass { retainGraph: true } to backward() to keep the graph. ${KEEP}`
      );
    case 'step':
      return (
        `when step ${r.step} began (${where(r)}), two steps after an op last used it: outside tidy(), a tensor ` +
        `you did not keep is freed once two steps (loop iterations, marked by zeroGrad() or a DataLoader's ` +
        `batches) pass without an op using it. ${KEEP}`
      );
  }
}

export function freedTensorError(t: Described, reason: FreeReason | null): Error {
  const label = `Tensor #${t.id} ${formatShape(t.shape)}${t.name ? ` "${t.name}"` : ''} (made in step ${t.madeAt})`;
  return new Error(`${label} was used after it was freed ${because(reason)}`);
}
