/**
 * The optimizer base, shaped like torch.optim.Optimizer: parameter groups with their own options,
 * per-parameter state (step count and buffers that live in WASM memory), zeroGrad/step, and a
 * stateDict that lets training resume exactly.
 */
import { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../tensor/scope.js';
import { markStep } from '../tensor/steps.js';
import { formatShape } from '../tensor/shape.js';

export interface BaseOptions {
  lr: number;
}

export type ParamGroup<O> = O & { params: Tensor[] };

/** A group given to the constructor: its params and any options that differ from the defaults. */
export type ParamGroupInput<O> = Partial<O> & { params: Tensor[] };

export interface ParamState {
  step: number;
  buffers: Map<string, Tensor>;
}

export interface OptimizerStateDict<O> {
  state: Record<number, { step: number; buffers: Record<string, number[]> }>;
  paramGroups: Array<O & { params: number[] }>;
}

/** A parameter with a gradient, as one step of its group updates it. */
export interface DueParam {
  p: Tensor;
  grad: Tensor;
  st: ParamState;
}

export abstract class Optimizer<O extends BaseOptions> {
  /** The algorithm's name in messages; every concrete class declares its own (class names do not survive minification). */
  static readonly typeName: string = 'Optimizer';

  readonly paramGroups: Array<ParamGroup<O>>;
  protected readonly state = new Map<Tensor, ParamState>();

  constructor(params: readonly Tensor[] | ReadonlyArray<ParamGroupInput<O>>, readonly defaults: O) {
    const name = (this.constructor as typeof Optimizer).typeName;
    if (params.length === 0) throw new Error(`${name}: got an empty parameter list`);
    const groups: Array<ParamGroupInput<O>> =
      params[0] instanceof Tensor ? [{ params: [...(params as Tensor[])] } as ParamGroupInput<O>] : [...(params as Array<ParamGroupInput<O>>)];
    const seen = new Set<Tensor>();
    this.paramGroups = groups.map((g) => {
      for (const p of g.params) {
        if (!(p instanceof Tensor)) throw new Error(`${name}: parameters must be tensors`);
        if (seen.has(p)) throw new Error(`${name}: a parameter appears in more than one group`);
        seen.add(p);
      }
      const group = { ...defaults, ...g, params: [...g.params] } as ParamGroup<O>;
      this.validate(group);
      return group;
    });
  }

  /** Checks a group's options; throws with the option's name and value. */
  protected abstract validate(options: O): void;

  /** Updates one parameter from its gradient (called inside noGrad). */
  protected abstract update(p: Tensor, grad: Tensor, group: ParamGroup<O>, state: ParamState): void;

  /** Learning rate of the first group (schedules set every group). */
  get lr(): number {
    return this.paramGroups[0]!.lr;
  }

  set lr(value: number) {
    for (const g of this.paramGroups) g.lr = value;
  }

  /** Clears gradients: set to none (PyTorch's default) or to zero. */
  zeroGrad(setToNone = true): void {
    markStep(this, `${(this.constructor as typeof Optimizer).typeName}.zeroGrad()`);
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        if (p.grad === null) continue;
        if (setToNone) {
          p.grad.dispose();
          p.grad = null;
        } else {
          p.grad.zero_();
        }
      }
    }
  }

  /** One update of every parameter that has a gradient. */
  step(): void {
    noGrad(() => {
      for (const group of this.paramGroups) {
        // Every gradient of the group is checked before any state changes.
        const due: DueParam[] = [];
        for (const p of group.params) if (p.grad !== null) due.push({ p, grad: p.grad, st: this.stateOf(p) });
        for (const d of due) d.st.step++;
        this.updateGroup(group, due);
        for (const d of due) d.p.version++;
      }
    });
  }

  /**
   * Updates a group's parameters that have a gradient (their step counts already advanced): one
   * update() each. An optimizer with a multi-tensor kernel (torch's foreach) overrides it.
   */
  protected updateGroup(group: ParamGroup<O>, due: readonly DueParam[]): void {
    for (const d of due) this.update(d.p, d.grad, group, d.st);
  }

  /** p's state (made on its first update), after checking that its gradient fits it. */
  protected stateOf(p: Tensor): ParamState {
    if (p.grad !== null && p.grad.size !== p.size) {
      throw new Error(`${(this.constructor as typeof Optimizer).typeName}: gradient ${formatShape(p.grad.shape)} does not match parameter ${formatShape(p.shape)}`);
    }
    let st = this.state.get(p);
    if (st === undefined) {
      st = { step: 0, buffers: new Map() };
      this.state.set(p, st);
    }
    return st;
  }

  /** A state buffer of p (zeros, or `init`, on first use), kept across scopes. */
  protected buffer(p: Tensor, st: ParamState, name: string, init = 0): Tensor {
    let b = st.buffers.get(name);
    if (b === undefined) {
      b = Tensor.empty(p.shape, p.k).keep();
      b.fill_(init);
      st.buffers.set(name, b);
    }
    return b;
  }

  private allParams(): Tensor[] {
    return this.paramGroups.flatMap((g) => g.params);
  }

  /** Plain-data snapshot (JSON-serialisable): per-parameter step and buffers, and the group options. */
  stateDict(): OptimizerStateDict<O> {
    const index = new Map(this.allParams().map((p, i) => [p, i]));
    const state: OptimizerStateDict<O>['state'] = {};
    for (const [p, st] of this.state) {
      const buffers: Record<string, number[]> = {};
      for (const [name, b] of st.buffers) buffers[name] = Array.from(b.data);
      state[index.get(p)!] = { step: st.step, buffers };
    }
    let at = 0;
    const paramGroups = this.paramGroups.map((g) => {
      const { params, ...options } = g;
      const ids = params.map(() => at++);
      return { ...(options as unknown as O), params: ids };
    });
    return { state, paramGroups };
  }

  /** Restores a stateDict() snapshot; checks group structure and buffer sizes before changing anything. */
  loadStateDict(sd: OptimizerStateDict<O>): void {
    const name = (this.constructor as typeof Optimizer).typeName;
    const params = this.allParams();
    if (!sd || !Array.isArray(sd.paramGroups) || typeof sd.state !== 'object') {
      throw new Error(`${name}.loadStateDict: expected {state, paramGroups}`);
    }
    if (sd.paramGroups.length !== this.paramGroups.length) {
      throw new Error(`${name}.loadStateDict: ${sd.paramGroups.length} parameter groups saved, ${this.paramGroups.length} here`);
    }
    sd.paramGroups.forEach((g, i) => {
      if (g.params.length !== this.paramGroups[i]!.params.length) {
        throw new Error(`${name}.loadStateDict: group ${i} saved ${g.params.length} parameters, has ${this.paramGroups[i]!.params.length}`);
      }
    });
    for (const [key, st] of Object.entries(sd.state)) {
      const p = params[Number(key)];
      if (p === undefined) throw new Error(`${name}.loadStateDict: state for parameter ${key}, which does not exist`);
      for (const [bName, data] of Object.entries(st.buffers)) {
        if (data.length !== p.size) {
          throw new Error(`${name}.loadStateDict: buffer "${bName}" of parameter ${key} holds ${data.length} values, the parameter ${formatShape(p.shape)} has ${p.size}`);
        }
      }
    }
    for (const st of this.state.values()) for (const b of st.buffers.values()) b.dispose();
    this.state.clear();
    for (const [key, saved] of Object.entries(sd.state)) {
      const p = params[Number(key)]!;
      const st: ParamState = { step: saved.step, buffers: new Map() };
      for (const [bName, data] of Object.entries(saved.buffers)) {
        const b = Tensor.empty(p.shape, p.k).keep();
        b.data.set(data);
        st.buffers.set(bName, b);
      }
      this.state.set(p, st);
    }
    sd.paramGroups.forEach((g, i) => {
      const { params: _ids, ...options } = g;
      Object.assign(this.paramGroups[i]!, options);
    });
  }

  /** Frees the state buffers. */
  dispose(): void {
    for (const st of this.state.values()) for (const b of st.buffers.values()) b.dispose();
    this.state.clear();
  }
}

export function checkNonNegative(opt: string, name: string, v: number): void {
  if (!(typeof v === 'number' && v >= 0 && Number.isFinite(v))) {
    throw new Error(`${opt}: invalid ${name} ${v} (must be a finite number >= 0)`);
  }
}

export function checkUnit(opt: string, name: string, v: number): void {
  if (!(typeof v === 'number' && v >= 0 && v < 1)) throw new Error(`${opt}: invalid ${name} ${v} (must be in [0, 1))`);
}

export function checkBool(opt: string, name: string, v: unknown): void {
  if (typeof v !== 'boolean') throw new Error(`${opt}: invalid ${name} ${JSON.stringify(v)} (must be true or false)`);
}
