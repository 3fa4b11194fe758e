/**
 * Scopes decide when tensors die. Every tensor made inside `tidy(fn)` is disposed when fn returns,
 * except the tensors fn returns (and everything their gradient graph still needs), which move to the
 * enclosing scope, and tensors marked with keep(). Training and inference helpers run each step in a
 * scope, so users do not call dispose() to stay alive.
 */
export interface Disposable {
  dispose(): void;
  readonly isDisposed: boolean;
}

/** What the autograd graph holds on to: a tensor's creator keeps its inputs and saved values. */
export interface Traceable extends Disposable {
  readonly isKept: boolean;
  graphChildren(): Iterable<Traceable>;
}

const scopes: Set<Traceable>[] = [];
let gradEnabled = true;

export function track(t: Traceable): void {
  const top = scopes[scopes.length - 1];
  if (top !== undefined) top.add(t);
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

function collectTensors(value: unknown, out: Set<Traceable>, seen: Set<unknown>): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (typeof (value as Traceable).graphChildren === 'function') {
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

function closeScope(scope: Set<Traceable>, result: unknown): void {
  // Results survive, and so does every tensor their gradient graph reaches (so a returned loss can
  // still be back-propagated by the caller).
  const survivors = new Set<Traceable>();
  const roots = new Set<Traceable>();
  collectTensors(result, roots, new Set());
  const stack = [...roots];
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (survivors.has(t)) continue;
    survivors.add(t);
    for (const c of t.graphChildren()) stack.push(c);
  }
  const parent = scopes[scopes.length - 1];
  for (const t of scope) {
    if (survivors.has(t)) {
      parent?.add(t);
    } else if (!t.isKept && !t.isDisposed) {
      t.dispose();
    }
  }
}

/**
 * Runs fn in a new scope. Tensors created inside are disposed when it returns, except those
 * returned (in an array, plain object or Map) and those kept. Async functions are supported: the
 * scope closes when the promise settles.
 */
export function tidy<T>(fn: () => T): T {
  const scope = new Set<Traceable>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    scopes.splice(scopes.lastIndexOf(scope), 1);
    closeScope(scope, undefined);
    throw e;
  }
  if (result instanceof Promise) {
    throw new Error('tidy(fn): fn returned a Promise; use tidyAsync for async functions');
  }
  scopes.splice(scopes.lastIndexOf(scope), 1);
  closeScope(scope, result);
  return result;
}

/** tidy for async functions; other scopes must not interleave with it (one training loop at a time). */
export async function tidyAsync<T>(fn: () => Promise<T>): Promise<T> {
  const scope = new Set<Traceable>();
  scopes.push(scope);
  let result: T;
  try {
    result = await fn();
  } catch (e) {
    scopes.splice(scopes.lastIndexOf(scope), 1);
    closeScope(scope, undefined);
    throw e;
  }
  scopes.splice(scopes.lastIndexOf(scope), 1);
  closeScope(scope, result);
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
