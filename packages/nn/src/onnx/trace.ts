/**
 * Recording a forward pass for export: the outermost op calls in order, each with its arguments
 * and result, where every tensor is replaced by a reference (a graph input, a value an earlier op
 * made, a parameter or buffer by its state-dict name, or a constant copied when first seen). Ops
 * called inside other ops are parts of them and are not recorded; module calls only set the scope
 * (the module path) that names the nodes and the errors.
 */
import { Tensor } from '../tensor/tensor.js';
import type { Module } from '../modules/module.js';
import type { OpTracer } from '../tensor/trace-hook.js';
import { moduleTypeName } from '../modules/module.js';

export type ValueRef =
  | { kind: 'input'; id: number; index: number; shape: number[] }
  | { kind: 'value'; id: number; shape: number[] }
  | { kind: 'param'; id: number; name: string; tensor: Tensor; shape: number[] }
  | { kind: 'const'; id: number; shape: number[]; data: Float32Array };

export interface OpRecord {
  op: string;
  /** The call's arguments, tensors replaced by ValueRefs (inside plain objects and arrays too). */
  args: unknown[];
  /** The result, tensors replaced by ValueRefs. */
  result: unknown;
  /** Module path of the innermost module call ('' at the top), e.g. "layer1.0.conv1". */
  scope: string;
  /** That module's path and type for error messages, e.g. `module "layer1.0" (BasicBlock)`. */
  where: string;
}

const isPlain = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);

export class Recorder implements OpTracer {
  readonly records: OpRecord[] = [];
  private readonly refs = new Map<Tensor, ValueRef>();
  private nextId = 0;
  private depth = 0;
  private readonly stack: Array<{ path: string; where: string }> = [];

  constructor(
    inputs: readonly Tensor[],
    private readonly params: ReadonlyMap<Tensor, string>,
    private readonly modulePaths: ReadonlyMap<Module, string>,
  ) {
    inputs.forEach((t, index) => this.refs.set(t, { kind: 'input', id: this.nextId++, index, shape: [...t.shape] }));
  }

  /** The reference of a tensor the forward returned (or any tensor seen). */
  refOf(t: Tensor): ValueRef {
    return this.ref(t);
  }

  get valueCount(): number {
    return this.nextId;
  }

  module(m: Module, run: () => unknown): unknown {
    const path = this.modulePaths.get(m);
    const top = this.stack[this.stack.length - 1];
    const type = moduleTypeName(m);
    const where = path === undefined ? `a ${type} inside ${top?.where ?? 'the model'}` : path === '' ? `the model (${type})` : `module "${path}" (${type})`;
    this.stack.push({ path: path ?? top?.path ?? '', where });
    try {
      return run();
    } finally {
      this.stack.pop();
    }
  }

  op(name: string, args: readonly unknown[], run: () => unknown): unknown {
    if (this.depth > 0) return run();
    const top = this.stack[this.stack.length - 1];
    const recArgs = args.map((a) => this.replace(a, false));
    this.depth++;
    let result: unknown;
    try {
      result = run();
    } finally {
      this.depth--;
    }
    this.records.push({ op: name, args: recArgs, result: this.replace(result, true), scope: top?.path ?? '', where: top?.where ?? 'the model' });
    return result;
  }

  private ref(t: Tensor, produced = false): ValueRef {
    const known = this.refs.get(t);
    if (known !== undefined) return known;
    const id = this.nextId++;
    const shape = [...t.shape];
    const param = this.params.get(t);
    const r: ValueRef =
      param !== undefined ? { kind: 'param', id, name: param, tensor: t, shape }
      : produced ? { kind: 'value', id, shape }
      : { kind: 'const', id, shape, data: t.toArray() };
    this.refs.set(t, r);
    return r;
  }

  private replace(v: unknown, produced: boolean): unknown {
    if (v instanceof Tensor) return this.ref(v, produced);
    if (Array.isArray(v)) return v.map((x) => this.replace(x, produced));
    if (isPlain(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.replace(x, produced)]));
    return v;
  }
}

export function isRef(v: unknown): v is ValueRef {
  return isPlain(v) && typeof v.kind === 'string' && typeof v.id === 'number' && Array.isArray(v.shape);
}
