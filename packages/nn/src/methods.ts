/**
 * Chainable methods on Tensor (x.matmul(w).add(b).relu()), installed on the prototype here so the
 * functional modules and the Tensor class do not import each other.
 */
import { Tensor } from './tensor/tensor.js';
import * as E from './functional/elementwise.js';
import * as A from './functional/activations.js';
import * as R from './functional/reduce.js';
import * as S from './functional/shape-ops.js';
import * as M from './functional/matmul.js';
import * as B from './functional/broadcast.js';
import * as I from './tensor/inplace.js';
import { softmax, logSoftmax } from './functional/softmax.js';
import { backward, type BackwardOptions } from './autograd/backward.js';
import type { Operand } from './functional/elementwise.js';
import type { Axes } from './functional/reduce.js';
import type { Shape } from './tensor/shape.js';

declare module './tensor/tensor.js' {
  interface Tensor {
    add(other: Operand): Tensor;
    sub(other: Operand): Tensor;
    mul(other: Operand): Tensor;
    div(other: Operand): Tensor;
    neg(): Tensor;
    clamp(lo?: number, hi?: number): Tensor;
    matmul(other: Tensor): Tensor;
    relu(): Tensor;
    sigmoid(): Tensor;
    tanh(): Tensor;
    exp(): Tensor;
    log(): Tensor;
    sqrt(): Tensor;
    square(): Tensor;
    abs(): Tensor;
    softmax(axis?: number): Tensor;
    logSoftmax(axis?: number): Tensor;
    sum(axes?: Axes, keepDim?: boolean): Tensor;
    mean(axes?: Axes, keepDim?: boolean): Tensor;
    max(axis?: number, keepDim?: boolean): Tensor;
    min(axis?: number, keepDim?: boolean): Tensor;
    argmax(axis?: number): Int32Array;
    reshape(shape: Shape): Tensor;
    flatten(startDim?: number, endDim?: number): Tensor;
    squeeze(axis?: number): Tensor;
    unsqueeze(axis: number): Tensor;
    permute(dims: readonly number[]): Tensor;
    transpose(dim0?: number, dim1?: number): Tensor;
    slice(begin: readonly number[], size?: readonly number[]): Tensor;
    narrow(dim: number, start: number, length: number): Tensor;
    expand(shape: Shape): Tensor;
    detach(): Tensor;
    clone(): Tensor;
    /** loss.backward(), loss.backward(grad), loss.backward({ retainGraph: true }) or loss.backward(grad, options). */
    backward(gradOrOptions?: Tensor | BackwardOptions, options?: BackwardOptions): void;
    fill_(value: number): Tensor;
    zero_(): Tensor;
    copy_(src: Tensor): Tensor;
    addScaled_(x: Tensor, alpha?: number): Tensor;
    scale_(alpha: number, beta?: number): Tensor;
  }
}

const P = Tensor.prototype;
P.add = function (o) { return E.add(this, o); };
P.sub = function (o) { return E.sub(this, o); };
P.mul = function (o) { return E.mul(this, o); };
P.div = function (o) { return E.div(this, o); };
P.neg = function () { return E.neg(this); };
P.clamp = function (lo, hi) { return E.clamp(this, lo, hi); };
P.matmul = function (o) { return M.matmul(this, o); };
P.relu = function () { return A.relu(this); };
P.sigmoid = function () { return A.sigmoid(this); };
P.tanh = function () { return A.tanh(this); };
P.exp = function () { return A.exp(this); };
P.log = function () { return A.log(this); };
P.sqrt = function () { return A.sqrt(this); };
P.square = function () { return A.square(this); };
P.abs = function () { return A.abs(this); };
P.softmax = function (axis) { return softmax(this, axis); };
P.logSoftmax = function (axis) { return logSoftmax(this, axis); };
P.sum = function (axes, keepDim) { return R.sum(this, axes, keepDim); };
P.mean = function (axes, keepDim) { return R.mean(this, axes, keepDim); };
P.max = function (axis, keepDim) { return R.max(this, axis, keepDim); };
P.min = function (axis, keepDim) { return R.min(this, axis, keepDim); };
P.argmax = function (axis) { return R.argmax(this, axis); };
P.reshape = function (shape) { return S.reshape(this, shape); };
P.flatten = function (s, e) { return S.flatten(this, s, e); };
P.squeeze = function (axis) { return S.squeeze(this, axis); };
P.unsqueeze = function (axis) { return S.unsqueeze(this, axis); };
P.permute = function (dims) { return S.permute(this, dims); };
P.transpose = function (a, b) { return S.transpose(this, a, b); };
P.slice = function (b, s) { return S.slice(this, b, s); };
P.narrow = function (d, s, l) { return S.narrow(this, d, s, l); };
P.expand = function (shape) { return B.expand(this, shape); };
P.detach = function () { return S.detach(this); };
P.clone = function () { return S.clone(this); };
P.backward = function (gradOrOptions, options) {
  if (gradOrOptions === undefined || gradOrOptions instanceof Tensor) backward(this, gradOrOptions, options);
  else backward(this, undefined, gradOrOptions);
};
P.fill_ = function (v) { return I.fill_(this, v); };
P.zero_ = function () { return I.zero_(this); };
P.copy_ = function (src) { return I.copy_(this, src); };
P.addScaled_ = function (x, alpha) { return I.addScaled_(this, x, alpha); };
P.scale_ = function (alpha, beta) { return I.scale_(this, alpha, beta); };
