/**
 * Reverse-mode differentiation over the dynamic graph that ops record as they run. Any graph works:
 * shared inputs, residual additions, concatenations, loops unrolled by running them.
 */
import { axpy, copy, fill } from '@deepwasm/kernels';
import { Tensor, type GradNode } from '../tensor/tensor.js';
import { clock, noGrad, runScoped, type FreeReason } from '../tensor/scope.js';
import { formatShape, sameShape } from '../tensor/shape.js';
import { add } from '../functional/elementwise.js';
import { clearFreshGradients, isFreshGradient } from './fresh.js';
import { clearPlaneSums } from './plane-sums.js';

export interface BackwardOptions {
  /** Keep the graph so backward can run through it again (default false: the graph is released). */
  retainGraph?: boolean;
}

/** Tensors reachable from root that need a gradient, inputs before the ops that use them. */
function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  // Two stacks side by side: the tensor, and whether its inputs were pushed already (no pair per entry).
  const stack: Tensor[] = [root];
  const expanded: boolean[] = [false];
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (expanded.pop()!) {
      order.push(t);
      continue;
    }
    if (visited.has(t)) continue;
    visited.add(t);
    stack.push(t);
    expanded.push(true);
    if (t.node?.released) throw secondBackwardError(t, t.node.op);
    if (t.node !== null) {
      const inputs = t.node.inputs;
      for (let i = 0; i < inputs.length; i++) {
        const input = inputs[i]!;
        if (input.requiresGrad && !visited.has(input)) {
          stack.push(input);
          expanded.push(false);
        }
      }
    }
  }
  return order;
}

function secondBackwardError(t: Tensor, op: string): Error {
  return new Error(
    `backward(): ${t} was computed by "${op}", and that part of the gradient graph was already freed by an ` +
      'earlier backward(). To go through a graph twice, pass { retainGraph: true } to the first backward() ' +
      '(PyTorch: retain_graph=True), or compute the value again.',
  );
}

/** What a node becomes once backward() has gone through it without retainGraph: one frozen marker per op name. */
const releasedNodes = new Map<string, GradNode>();
function releasedNode(op: string): GradNode {
  let node = releasedNodes.get(op);
  if (node === undefined) {
    node = Object.freeze({
      op,
      inputs: Object.freeze([]) as readonly Tensor[],
      saved: Object.freeze([]) as readonly Tensor[],
      released: true,
      backward(): (Tensor | null)[] {
        throw new Error(`backward(): the graph through "${op}" was already released`);
      },
    });
    releasedNodes.set(op, node);
  }
  return node;
}

/**
 * Releases the graph backward() walked: each node becomes a released marker (a second backward through
 * it throws), and the tensors only the graph held (internal: a layer's saved activations) are freed.
 */
function releaseGraph(order: readonly Tensor[]): void {
  const reason: FreeReason = { why: 'backward', step: clock.step };
  for (const t of order) {
    const node = t.node;
    if (node === null || node.released) continue;
    t.node = releasedNode(node.op);
    for (const c of node.inputs) if (c.internal && !c.isKept) c.free(reason);
    for (const c of node.saved) if (c.internal && !c.isKept) c.free(reason);
  }
}

/**
 * Adds g into leaf.grad. A leaf without a gradient takes g itself when g is a fresh gradient (made by
 * its op for this input alone, see fresh.ts) that this backward() handed to no other input;
 * otherwise its own copy.
 */
function accumulateLeaf(leaf: Tensor, g: Tensor, shared: ReadonlySet<Tensor>): void {
  if (leaf.grad === null || leaf.grad.isDisposed) {
    if (isFreshGradient(g) && !shared.has(g) && !g.isKept) {
      leaf.grad = g.keep();
      g.name = leaf.name ? `${leaf.name}.grad` : undefined;
      return;
    }
    const own = Tensor.empty(leaf.shape, leaf.k).keep();
    copy(leaf.k, own.ptr, g.ptr, g.size);
    own.name = leaf.name ? `${leaf.name}.grad` : undefined;
    leaf.grad = own;
  } else {
    axpy(leaf.k, leaf.grad.ptr, g.ptr, g.size, 1);
    leaf.grad.version++;
  }
}

/**
 * Back-propagates from `root`. Without `grad`, root must hold one element and the seed is 1.
 * Leaf tensors with requiresGrad accumulate into `.grad` (kept across scopes, like parameters').
 */
export function backward(root: Tensor, grad?: Tensor, options: BackwardOptions = {}): void {
  if (!root.requiresGrad) {
    throw new Error(
      `backward(): ${root} does not require grad (no input of the computation had requiresGrad set, ` +
        'or it was computed inside noGrad)',
    );
  }
  if (grad === undefined && root.size !== 1) {
    throw new Error(
      `backward(): the gradient can be implied only for a one-element output, not ${formatShape(root.shape)}; ` +
        'pass the output gradient',
    );
  }
  if (grad !== undefined && !sameShape(grad.shape, root.shape)) {
    throw new Error(`backward(): gradient ${formatShape(grad.shape)} does not match output ${formatShape(root.shape)}`);
  }
  try {
    runBackward(root, grad, options);
  } finally {
    clearFreshGradients();
    clearPlaneSums();
  }
}

/**
 * The walk itself. The gradients of intermediates are made in a scope of their own and die when it
 * returns; only the leaves' .grad (kept) survive.
 */
function runBackward(root: Tensor, grad: Tensor | undefined, options: BackwardOptions): void {
  runScoped(() => noGrad(() => {
    const order = topoOrder(root);
    const grads = new Map<Tensor, Tensor>();
    let seed = grad;
    if (seed === undefined) {
      seed = Tensor.empty(root.shape, root.k);
      fill(root.k, seed.ptr, 1, 1);
    }
    grads.set(root, seed);
    // Gradient tensors handed to more than one input (a leaf may not adopt those).
    const handed = new Set<Tensor>();
    const shared = new Set<Tensor>();
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i]!;
      const g = grads.get(t);
      if (g === undefined) continue;
      grads.delete(t);
      const node = t.node;
      if (node === null) {
        accumulateLeaf(t, g, shared);
        continue;
      }
      const inputGrads = node.backward(g);
      for (let j = 0; j < node.inputs.length; j++) {
        const input = node.inputs[j]!;
        const gi = inputGrads[j];
        if (!input.requiresGrad || gi === null || gi === undefined) continue;
        if (!sameShape(gi.shape, input.shape)) {
          throw new Error(
            `backward(): internal error in ${node.op}: gradient ${formatShape(gi.shape)} ` +
              `for an input of shape ${formatShape(input.shape)}`,
          );
        }
        if (handed.has(gi)) shared.add(gi);
        else handed.add(gi);
        const prev = grads.get(input);
        grads.set(input, prev === undefined ? gi : add(prev, gi));
      }
    }
    if (!options.retainGraph) releaseGraph(order);
  }), { why: 'backward', step: clock.step });
}
