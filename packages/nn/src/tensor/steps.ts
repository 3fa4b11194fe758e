/**
 * Steps: how a PyTorch-style loop written without tidy() runs in flat memory.
 *
 * A step is one iteration of the user's loop. Outside every scope, `zeroGrad()` (of an optimizer or a
 * module) and a DataLoader's next batch mark the loop; a new step begins when one of them that already
 * marked the current step marks it again (so a GAN's two optimizers, or an encoder's and a decoder's,
 * make one step per iteration, not two), and at every `nextStep()`. A tensor made outside every scope
 * is freed when the second step after the last op that used it begins, unless it was kept; tensors
 * made before the first step (data, a validation set) are never freed this way. Two steps, not one, so
 * that a value carried from one iteration to the next (a recurrent state) needs nothing special.
 *
 * Boundaries reached inside tidy() or a module call do not count: tidy() is exact control, and
 * fit/evaluate/predict run every step in one.
 */
import { clock, scopeDepth, setTopLevelSink, type Traceable } from './scope.js';

let owned: Traceable[] = [];

setTopLevelSink((t) => {
  if (clock.step > 0) owned.push(t);
  else t.collectable();
});

/** The current step: how many steps have begun outside every scope (0 before the first). */
export function currentStep(): number {
  return clock.step;
}

/** What marked the current step (optimizers, modules, loaders). */
const marked = new Set<object>();

/**
 * Called by zeroGrad() and DataLoader batches: begins a new step when `by` already marked the current
 * one (or no step has begun yet). Does nothing inside tidy() or a module call. `label` names it in the
 * error raised on a later use of a tensor the new step frees.
 */
export function markStep(by: object, label: string): void {
  if (scopeDepth() > 0) return;
  if (clock.step > 0 && !marked.has(by)) {
    marked.add(by);
    return;
  }
  marked.clear();
  marked.add(by);
  advance(label);
}

/**
 * Begins a new step now (for loops with neither zeroGrad() nor a DataLoader): frees the tensors made
 * outside every scope that no op used during this step or the one before. Does nothing inside tidy().
 */
export function nextStep(): void {
  if (scopeDepth() > 0) return;
  marked.clear();
  advance('nextStep()');
}

function advance(by: string): void {
  const step = ++clock.step;
  const limit = step - 2;
  if (owned.length === 0) return;
  const reason = { why: 'step' as const, step, where: by };
  const still: Traceable[] = [];
  for (const t of owned) {
    if (t.isDisposed || t.isKept) continue;
    if (t.lastUsed <= limit) t.free(reason);
    else still.push(t);
  }
  owned = still;
}
