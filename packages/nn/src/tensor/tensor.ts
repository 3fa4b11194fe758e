/**
 * Tensor: a shape over a block of WASM linear memory, plus what reverse-mode autograd needs.
 * Data never leaves WASM memory between ops; `data` is a live view, `toArray()` a copy.
 * Chainable op methods (x.matmul(w).relu()...) are installed by ../methods.ts.
 */
import type { Kernels } from '@deepwasm/kernels';
import { kernels } from '../backend.js';
import { clock, isGradEnabled, track, untrack, type FreeReason, type Traceable } from './scope.js';
import { freedTensorError } from './freed.js';
import { checkShape, formatShape, sizeOf, type Shape } from './shape.js';
import { Storage } from './storage.js';

/** How a tensor was made: its inputs, what it saved, and how to send a gradient back to the inputs. */
export interface GradNode {
  readonly op: string;
  readonly inputs: readonly Tensor[];
  readonly saved: readonly Tensor[];
  /** Gradients for each input (null where an input needs none), given the output's gradient. */
  backward(grad: Tensor): (Tensor | null)[];
  /** Set when backward() has gone through this node and freed what it saved (no retainGraph). */
  readonly released?: boolean;
  /**
   * Its backward pass uses the per-plane sums of its output's gradient when that gradient comes
   * with them (a convolution's bias gradient; see autograd/plane-sums.ts), so the op that made the
   * gradient may sum its planes on the way.
   */
  readonly usesPlaneSums?: boolean;
}

let nextId = 1;

export class Tensor implements Traceable {
  readonly id = nextId++;
  readonly shape: readonly number[];
  readonly size: number;
  readonly dtype = 'float32' as const;
  /** Leaf tensors with requiresGrad accumulate into .grad on backward(). */
  requiresGrad: boolean;
  grad: Tensor | null = null;
  /** Creator of this tensor in the gradient graph (null for leaves and after backward()). */
  node: GradNode | null = null;
  /** Bumped by every in-place change, so caches derived from the data (packed weights) can notice. */
  version = 0;
  /** Optional label used in error messages (parameter names). */
  name: string | undefined;
  /** The step in which it was made, and in which an op last read it (see steps.ts). */
  readonly madeAt = clock.step;
  lastUsed = clock.step;
  /** Reachable only through a gradient graph (a layer's saved activation): backward() frees it. */
  internal = false;
  private storage: Storage | null;
  private kept = false;
  private freedBy: FreeReason | null = null;

  /** Internal: use zeros/fromArray/... to make tensors. */
  constructor(storage: Storage, shape: Shape, requiresGrad = false) {
    this.storage = storage;
    // A frozen shape (another tensor's, or empty()'s own checked copy) cannot change: shared, not copied.
    this.shape = Object.isFrozen(shape) ? shape : Object.freeze(shape.slice());
    this.size = sizeOf(shape);
    this.requiresGrad = requiresGrad;
    track(this);
  }

  /** An uninitialised tensor (contents are whatever the reused block held). */
  static empty(shape: Shape, k: Kernels = kernels()): Tensor {
    const s = Object.freeze(checkShape(shape, 'empty'));
    return new Tensor(new Storage(k, sizeOf(s)), s);
  }

  /** A new tensor over this tensor's storage with another shape of the same size (no copy). */
  static view(base: Tensor, shape: Shape): Tensor {
    const s = base.liveStorage();
    s.retain();
    return new Tensor(s, shape);
  }

  get ndim(): number {
    return this.shape.length;
  }

  get k(): Kernels {
    return this.liveStorage().k;
  }

  /** Byte offset of the first element in WASM memory. */
  get ptr(): number {
    return this.liveStorage().ptr;
  }

  /** A live Float32Array view of the data (take it fresh: memory growth invalidates old views). */
  get data(): Float32Array {
    const s = this.liveStorage();
    return s.k.arena.f32(s.ptr, this.size);
  }

  /** A copy of the data as a plain Float32Array. */
  toArray(): Float32Array {
    return this.data.slice();
  }

  /** The data as nested JS arrays following the shape. */
  toNested(): unknown {
    const flat = Array.from(this.data);
    if (this.ndim === 0) return flat[0];
    const build = (dim: number, offset: number): unknown => {
      const n = this.shape[dim]!;
      if (dim === this.ndim - 1) return flat.slice(offset, offset + n);
      const stride = sizeOf(this.shape.slice(dim + 1));
      return Array.from({ length: n }, (_, i) => build(dim + 1, offset + i * stride));
    };
    return build(0, 0);
  }

  /** The value of a one-element tensor. */
  item(): number {
    const data = this.data;
    if (this.size !== 1) {
      throw new Error(`item(): tensor of shape ${formatShape(this.shape)} has ${this.size} elements, not 1`);
    }
    return data[0]!;
  }

  get isDisposed(): boolean {
    return this.storage === null;
  }

  get isKept(): boolean {
    return this.kept;
  }

  /** Excludes this tensor from scope disposal (parameters, optimizer state, cached results). */
  keep(): this {
    this.kept = true;
    untrack(this);
    this.storage?.collectable();
    return this;
  }

  collectable(): void {
    this.storage?.collectable();
  }

  /** Frees this tensor's hold on its memory now. Safe to call twice. */
  dispose(): void {
    this.free({ why: 'dispose', step: clock.step });
  }

  /** Internal: frees the tensor and remembers why, for the error raised if it is used afterwards. */
  free(reason: FreeReason): void {
    if (this.storage === null) return;
    this.storage.release();
    this.storage = null;
    this.freedBy = reason;
    this.node = null;
    if (this.grad !== null && !this.grad.isKept) {
      this.grad.free(reason);
    }
    this.grad = null;
  }

  graphChildren(): Iterable<Traceable> {
    if (this.node === null) return [];
    return [...this.node.inputs, ...this.node.saved];
  }

  pushGraphChildren(out: Traceable[]): void {
    const node = this.node;
    if (node === null) return;
    for (let i = 0; i < node.inputs.length; i++) out.push(node.inputs[i]!);
    for (let i = 0; i < node.saved.length; i++) out.push(node.saved[i]!);
  }

  /** True when an op on this tensor should be recorded for backward. */
  get tracksGrad(): boolean {
    return this.requiresGrad && isGradEnabled();
  }

  /** Marks this tensor as a leaf that accumulates gradients. */
  requiresGrad_(flag = true): this {
    if (this.node !== null && !flag) {
      throw new Error('requiresGrad_(false): only leaf tensors can change requiresGrad; use detach()');
    }
    this.requiresGrad = flag;
    return this;
  }

  toString(): string {
    return `Tensor(${formatShape(this.shape)}${this.requiresGrad ? ', requiresGrad' : ''})`;
  }

  private liveStorage(): Storage {
    const s = this.storage;
    if (s === null || !s.live) throw freedTensorError(this, this.freedBy);
    this.lastUsed = clock.step;
    return s;
  }
}

/**
 * Makes the output of an op and, when any input records gradients, links it into the graph.
 * `backward` receives the output's gradient and returns one gradient (or null) per input.
 */
export function recordOp(
  out: Tensor,
  op: string,
  inputs: readonly Tensor[],
  backward: (grad: Tensor) => (Tensor | null)[],
  saved: readonly Tensor[] = [],
  usesPlaneSums = false,
): Tensor {
  if (!isGradEnabled()) return out;
  let needs = false;
  for (const t of inputs) {
    if (t.requiresGrad) {
      needs = true;
      break;
    }
  }
  if (!needs) return out;
  out.requiresGrad = true;
  out.node = usesPlaneSums ? { op, inputs, saved, backward, usesPlaneSums } : { op, inputs, saved, backward };
  return out;
}
