/**
 * What a converter sees: the op record it converts (from the traced forward, and the same op from
 * the second trace with the dynamic axes one longer, when there is one), the ONNX names of the
 * values it reads, and the graph to add nodes to.
 */
import type { GraphBuilder, AttrValue } from './graph.js';
import type { OpRecord, ValueRef } from './trace.js';

export class ExportContext {
  /** The record being converted, and its twin from the second trace (null when no axis is dynamic). */
  rec!: OpRecord;
  recB: OpRecord | null = null;
  private readonly bound = new Map<number, string>();
  private readonly lazy = new Map<number, () => string>();

  constructor(
    readonly graph: GraphBuilder,
    readonly opset: number,
    /** Shapes of every value in the second trace, by value id (empty when no axis is dynamic). */
    private readonly shapesB: ReadonlyMap<number, readonly number[]>,
    /** Graph inputs declared int64 (embedding indices). */
    readonly int64Inputs: ReadonlySet<number>,
  ) {}

  /** Binds a value to the ONNX name that holds it. */
  bind(ref: ValueRef, name: string): void {
    this.bound.set(ref.id, name);
  }

  /** Binds a value to a name made only if something reads it (a recurrent layer's packed output). */
  bindLazy(ref: ValueRef, make: () => string): void {
    this.lazy.set(ref.id, make);
  }

  /** The ONNX name of a value: parameters and constants become initializers the first time they are read. */
  name(ref: ValueRef): string {
    const known = this.bound.get(ref.id);
    if (known !== undefined) return known;
    const make = this.lazy.get(ref.id);
    let name: string;
    if (make !== undefined) name = make();
    else if (ref.kind === 'param') name = this.graph.floatInitializer(ref.name, ref.shape, ref.tensor.data); // copied at once
    else if (ref.kind === 'const') name = this.graph.floatInitializer(`${scopePrefix(this.rec.scope)}/Constant`, ref.shape, ref.data);
    else return this.fail(`internal: value #${ref.id} is read before anything made it`);
    this.bound.set(ref.id, name);
    return name;
  }

  /** Adds a node in the current op's scope; returns its output names. */
  node(opType: string, inputs: string[], attrs: Record<string, AttrValue | undefined> = {}, outputs = 1): string[] {
    return this.graph.node(this.rec.scope, opType, inputs, attrs, outputs);
  }

  /** Adds a node and binds its single output to `out`. */
  emit(out: ValueRef, opType: string, inputs: string[], attrs: Record<string, AttrValue | undefined> = {}): string {
    const [name] = this.node(opType, inputs, attrs);
    this.bind(out, name!);
    return name!;
  }

  /** A 1-D int64 initializer (shapes, axes, slice bounds). */
  ints(values: readonly number[]): string {
    return this.graph.int64Initializer(`${scopePrefix(this.rec.scope)}/Constant`, [values.length], values);
  }

  /** A float initializer (a scalar by default). */
  floats(values: readonly number[], dims: readonly number[] = []): string {
    return this.graph.floatInitializer(`${scopePrefix(this.rec.scope)}/Constant`, dims, Float32Array.from(values));
  }

  /** Which axes of a value change length with the dynamic input axes (all false when none is dynamic). */
  dynamic(ref: ValueRef): boolean[] {
    const b = this.shapesB.get(ref.id);
    return ref.shape.map((d, i) => b !== undefined && b[i] !== d);
  }

  shapeB(ref: ValueRef): readonly number[] {
    return this.shapesB.get(ref.id) ?? ref.shape;
  }

  /** An error naming the op and the module it was called in. */
  fail(message: string): never {
    throw new Error(`exportOnnx: ${this.rec.op} in ${this.rec.where}: ${message}`);
  }
}

export function scopePrefix(scope: string): string {
  return scope === '' ? '' : `/${scope.split('.').join('/')}`;
}
