/**
 * Who frees a tensor, and when. Three owners, from the most explicit to the least:
 *
 * - `tidy(fn)`: every tensor made inside is freed when fn returns, except what fn returns (and what the
 *   gradient graph of that still needs) and tensors marked with keep().
 * - A module call: `Module.forward` runs in a scope of its own (./module-scope via Module), so the
 *   intermediates a layer makes die when it returns, except its result and what that result's gradient
 *   graph needs. Those graph-only tensors are marked `internal` (nobody outside the graph can reach
 *   them) and `backward()` frees them when it releases the graph, as PyTorch frees saved tensors.
 * - Steps (./steps.ts): outside any scope, each `zeroGrad()` and each DataLoader batch begins a step, and
 *   a tensor is freed once two steps pass without an op using it. That is what keeps a PyTorch-style
 *   loop without tidy in flat memory; tensors made before the first step are never freed that way.
 */
export interface Disposable {
  dispose(): void;
  readonly isDisposed: boolean;
}

/** Why a tensor was freed: shown by the error raised when it is used afterwards. */
export interface FreeReason {
  readonly why: 'tidy' | 'module' | 'backward' | 'step' | 'dispose';
  /** The step the program was in when it was freed. */
  readonly step: number;
  /** Module call (module), what began the step (step), or nothing. */
  readonly where?: string | (() => string);
}

/** What the autograd graph holds on to: a tensor's creator keeps its inputs and saved values. */
export interface Traceable extends Disposable {
  readonly isKept: boolean;
  /** The step in which an op last read this tensor (see ./steps.ts). */
  lastUsed: number;
  /** Reachable only through a gradient graph: freed when backward() releases that graph. */
  internal: boolean;
  graphChildren(): Iterable<Traceable>;
  /** Appends graphChildren() to `out` (no array of its own). */
  pushGraphChildren(out: Traceable[]): void;
  /** Frees the tensor, remembering why (for the error on a later use). */
  free(reason: FreeReason): void;
  /**
   * Nothing of the library holds it any more (kept, or made outside every scope before the first
   * step): from now on the garbage collector frees its memory once the program drops it.
   */
  collectable(): void;
}

/** Where tensors made outside every scope go (installed by ./steps.ts). */
type TopLevelSink = (t: Traceable) => void;
let topLevel: TopLevelSink = () => {};
export function setTopLevelSink(sink: TopLevelSink): void {
  topLevel = sink;
}

/** The current step, read live by tensors on every use (./steps.ts advances it). */
export const clock = { step: 0 };

const scopes: Set<Traceable>[] = [];
let gradEnabled = true;

export function track(t: Traceable): void {
  const top = scopes[scopes.length - 1];
  if (top !== undefined) top.add(t);
  else topLevel(t);
}

/** Stops a tensor from being disposed by the scope it was made in. */
export function untrack(t: Traceable): void {
  for (let i = scopes.length - 1; i >= 0; i--) {
    if (scopes[i]!.delete(t)) return;
  }
}

export function scopeDepth(): number {
  return scopes.length;
}

function isTraceable(value: unknown): value is Traceable {
  return value !== null && typeof value === 'object' && typeof (value as Traceable).graphChildren === 'function';
}

function collectTensors(value: unknown, out: Set<Traceable>, seen: Set<unknown>): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (isTraceable(value)) {
    out.add(value as Traceable);
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) collectTensors(v, out, seen);
  } else if (value instanceof Map) {
    for (const v of value.values()) collectTensors(v, out, seen);
  } else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collectTensors(v, out, seen);
  }
}

function closeScope(scope: Set<Traceable>, result: unknown, reason: FreeReason): void {
  // Results survive, and so does every tensor of this scope that their gradient graph reaches (so a
  // returned loss can still be back-propagated by the caller); those are internal from now on. The walk
  // stays inside the scope: a tensor made before the scope opened cannot reach one made inside it.
  const roots = new Set<Traceable>();
  // A layer's or a loss's one tensor needs no walk through containers.
  if (isTraceable(result)) roots.add(result);
  else collectTensors(result, roots, new Set());
  const survivors = new Set<Traceable>(roots);
  const stack: Traceable[] = [];
  for (const r of roots) r.pushGraphChildren(stack);
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (survivors.has(t) || !(scope.has(t) || t.isKept)) continue;
    survivors.add(t);
    if (!roots.has(t) && !t.isKept) t.internal = true;
    t.pushGraphChildren(stack);
  }
  const parent = scopes[scopes.length - 1];
  for (const t of scope) {
    if (survivors.has(t)) {
      if (parent !== undefined) parent.add(t);
      else topLevel(t);
    } else if (!t.isKept && !t.isDisposed) {
      t.free(reason);
    }
  }
}

/** Removes `scope` from the stack (the innermost one, unless scopes interleaved: tidyAsync). */
function leave(scope: Set<Traceable>): void {
  const i = scopes.lastIndexOf(scope);
  if (i === scopes.length - 1) scopes.pop();
  else if (i >= 0) scopes.splice(i, 1);
}

/** Runs fn in a scope that frees what fn made (but its result and that result's graph) with `reason`. */
export function runScoped<T>(fn: () => T, reason: FreeReason): T {
  const scope = new Set<Traceable>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    leave(scope);
    closeScope(scope, undefined, reason);
    throw e;
  }
  if (result instanceof Promise) {
    leave(scope);
    closeScope(scope, undefined, reason);
    throw new Error('tidy(fn): fn returned a Promise; use tidyAsync for async functions');
  }
  leave(scope);
  closeScope(scope, result, reason);
  return result;
}

/**
 * Runs fn in a new scope. Tensors created inside are disposed when it returns, except those
 * returned (in an array, plain object or Map) and those kept.
 */
export function tidy<T>(fn: () => T): T {
  return runScoped(fn, { why: 'tidy', step: clock.step });
}

/** The scope of one module call: what the layer made dies when it returns, but for its result. */
export function moduleScope<T>(fn: () => T, where: () => string): T {
  return runScoped(fn, { why: 'module', step: clock.step, where });
}

/** tidy for async functions; other scopes must not interleave with it (one training loop at a time). */
export async function tidyAsync<T>(fn: () => Promise<T>): Promise<T> {
  const scope = new Set<Traceable>();
  scopes.push(scope);
  const reason: FreeReason = { why: 'tidy', step: clock.step };
  let result: T;
  try {
    result = await fn();
  } catch (e) {
    leave(scope);
    closeScope(scope, undefined, reason);
    throw e;
  }
  leave(scope);
  closeScope(scope, result, reason);
  return result;
}

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs fn without recording the gradient graph (inference, optimizer updates, evaluation). */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/** Like noGrad, but re-enables recording inside a noGrad region. */
export function enableGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = true;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}
