/**
 * Module: the PyTorch building block. Parameters, buffers and sub-modules are registered explicitly
 * (TypeScript has no attribute magic), which gives stable state-dict keys like "0.weight" or
 * "encoder.fc1.bias". forward() is ordinary code, so residual and multi-branch models need nothing
 * special.
 */
import { Tensor } from '../tensor/tensor.js';
import { moduleScope, noGrad } from '../tensor/scope.js';
import { markStep } from '../tensor/steps.js';
import { activeTracer } from '../tensor/trace-hook.js';
import { formatShape, sameShape } from '../tensor/shape.js';
import { copy } from '@deepwasm/kernels';

/** What loadStateDict accepts for one entry: a tensor, or raw data with its shape. */
export type StateEntry = Tensor | { shape: readonly number[]; data: ArrayLike<number> };

export interface ModuleConfig {
  type: string;
  config: Record<string, unknown>;
  children?: Record<string, ModuleConfig>;
}

/**
 * The type name of m's class (see Module.typeName): its own static typeName, else, for a user class
 * that declares none, the class's name, which a minifier may change.
 */
export function moduleTypeName(m: Module): string {
  const c = m.constructor as typeof Module;
  return Object.prototype.hasOwnProperty.call(c, 'typeName') ? c.typeName : c.name;
}

export abstract class Module {
  /**
   * The type's name: its key in the module registry (registerModuleType), the `type` its getConfig()
   * saves, and what summaries and error messages show. Every concrete class declares its own,
   * `static override readonly typeName = 'Linear';`, because class names do not survive minification
   * (a minified Linear is called something like `Wn`): nothing reads constructor.name.
   */
  static readonly typeName: string = 'Module';

  training = true;
  private readonly params = new Map<string, Tensor | null>();
  private readonly buffers = new Map<string, Tensor>();
  private readonly children = new Map<string, Module>();

  /**
   * Every call of forward runs in a scope of its own: what the layer makes dies when it returns, but for
   * its result and what that result's gradient graph needs (freed in turn by backward()).
   */
  constructor() {
    const forward = this.forward as (...args: unknown[]) => unknown;
    const where = () => `${moduleTypeName(this)}.forward()`;
    Object.defineProperty(this, 'forward', {
      value: (...args: unknown[]) => {
        const tracer = activeTracer();
        if (tracer !== null) return tracer.module(this, () => moduleScope(() => forward.apply(this, args), where));
        return moduleScope(() => forward.apply(this, args), where);
      },
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }

  /** The layer's computation: tensors in, most often; graph layers take (features, graph). */
  abstract forward(...inputs: unknown[]): Tensor;

  /** Calls forward (PyTorch's module(x)). */
  call(...inputs: Tensor[]): Tensor {
    return this.forward(...inputs);
  }

  /** Registers a trainable tensor: it gets requiresGrad, survives scopes, and appears in stateDict. */
  protected registerParameter(name: string, t: Tensor | null): Tensor {
    if (t !== null) {
      t.requiresGrad = true;
      t.keep();
      t.name = name;
    }
    this.params.set(name, t);
    return t as Tensor;
  }

  /** Registers a non-trainable tensor saved with the model (running statistics). */
  protected registerBuffer(name: string, t: Tensor): Tensor {
    t.keep();
    t.name = name;
    this.buffers.set(name, t);
    return t;
  }

  protected registerModule<M extends Module>(name: string, m: M): M {
    this.children.set(name, m);
    return m;
  }

  /** Sub-modules in registration order, with their names. */
  namedChildren(): Array<[string, Module]> {
    return [...this.children];
  }

  /** This module and every descendant, with dotted names ('' for this one). */
  namedModules(prefix = ''): Array<[string, Module]> {
    const out: Array<[string, Module]> = [[prefix, this]];
    for (const [name, child] of this.children) {
      out.push(...child.namedModules(prefix ? `${prefix}.${name}` : name));
    }
    return out;
  }

  namedParameters(prefix = ''): Array<[string, Tensor]> {
    const out: Array<[string, Tensor]> = [];
    const seen = new Set<Tensor>();
    for (const [path, m] of this.namedModules(prefix)) {
      for (const [name, p] of m.params) {
        if (p === null || seen.has(p)) continue;
        seen.add(p);
        out.push([path ? `${path}.${name}` : name, p]);
      }
    }
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  namedBuffers(prefix = ''): Array<[string, Tensor]> {
    const out: Array<[string, Tensor]> = [];
    for (const [path, m] of this.namedModules(prefix)) {
      for (const [name, b] of m.buffers) out.push([path ? `${path}.${name}` : name, b]);
    }
    return out;
  }

  /** Number of trainable scalars. */
  numParameters(): number {
    return this.parameters().reduce((s, p) => s + p.size, 0);
  }

  /** Training mode (dropout active, batch norm uses batch statistics) for this module and below. */
  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Clears the gradients of every parameter (set to none, PyTorch's default); begins a new step (steps.ts). */
  zeroGrad(): void {
    markStep(this, `${moduleTypeName(this)}.zeroGrad()`);
    for (const p of this.parameters()) {
      if (p.grad !== null) {
        p.grad.dispose();
        p.grad = null;
      }
    }
  }

  /** Parameters and buffers by their dotted names, in registration order (the tensors themselves). */
  stateDict(): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    for (const [n, p] of this.namedParameters()) out.set(n, p);
    for (const [n, b] of this.namedBuffers()) out.set(n, b);
    return out;
  }

  /**
   * Copies values into this module's parameters and buffers, like PyTorch's load_state_dict, and returns
   * the keys the state lacks (missingKeys) and the keys it has that this module does not
   * (unexpectedKeys). Every entry is checked before anything is written: a shape mismatch is always an
   * error, and with strict (the default, `true` or `{ strict: true }`) missing and unexpected keys are
   * errors too; then nothing is written. As PyTorch's batch norm does, a missing `num_batches_tracked`
   * is not missing: the buffer keeps its value.
   */
  loadStateDict(
    state: Map<string, StateEntry> | Record<string, StateEntry>,
    strict: boolean | { strict?: boolean } = true,
  ): { missingKeys: string[]; unexpectedKeys: string[] } {
    const isStrict = typeof strict === 'boolean' ? strict : strict?.strict ?? true;
    const entries: Map<string, StateEntry> = state instanceof Map ? state : new Map(Object.entries(state));
    const own = this.stateDict();
    const problems: string[] = [];
    const missingKeys: string[] = [];
    const unexpectedKeys: string[] = [];
    for (const [name, t] of own) {
      if (!entries.has(name)) {
        if (!/(^|\.)num_batches_tracked$/.test(name)) missingKeys.push(name);
        continue;
      }
      const e = entries.get(name);
      if (!(e instanceof Tensor)) {
        const ok = e !== null && typeof e === 'object' && Array.isArray(e.shape) && e.data !== null && typeof e.data === 'object' &&
          typeof e.data.length === 'number' && (ArrayBuffer.isView(e.data) || Array.from(e.data).every((v) => typeof v === 'number'));
        if (!ok) {
          problems.push(`"${name}": expected a Tensor or {shape, data} with numeric data, got ${typeof e === 'object' && e !== null ? `{${Object.keys(e).join(', ')}}` : String(e)}`);
          continue;
        }
      }
      const shape = e.shape;
      const len = e instanceof Tensor ? e.size : e.data.length;
      if (!sameShape(shape, t.shape)) {
        problems.push(`"${name}": expected shape ${formatShape(t.shape)}, found ${formatShape(shape)}`);
      } else if (len !== t.size) {
        problems.push(`"${name}": expected ${t.size} values, found ${len}`);
      }
    }
    for (const name of entries.keys()) if (!own.has(name)) unexpectedKeys.push(name);
    if (isStrict) {
      for (const name of missingKeys) problems.push(`missing "${name}" (expected ${formatShape(own.get(name)!.shape)})`);
      for (const name of unexpectedKeys) problems.push(`unexpected "${name}"`);
    }
    if (problems.length > 0) {
      throw new Error(`loadStateDict(${moduleTypeName(this)}): ${problems.join('; ')}`);
    }
    noGrad(() => {
      for (const [name, t] of own) {
        const e = entries.get(name);
        if (e === undefined) continue;
        if (e instanceof Tensor) copy(t.k, t.ptr, e.ptr, t.size);
        else t.data.set(e.data);
        t.version++;
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  /** Type name and constructor arguments, for saving the architecture as JSON. */
  getConfig(): ModuleConfig {
    throw new Error(
      `${moduleTypeName(this)} cannot be saved as JSON: give it getConfig() and register it with registerModuleType()`,
    );
  }

  /** Frees every parameter and buffer, and whatever each sub-module holds (its own dispose() runs too). */
  dispose(): void {
    for (const child of this.children.values()) child.dispose();
    for (const p of this.parameters()) {
      p.grad?.dispose(); // gradients are kept tensors: a parameter's free leaves them
      p.dispose();
    }
    for (const [, b] of this.namedBuffers()) b.dispose();
  }
}
