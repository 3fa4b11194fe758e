/** Matrix products on the packed GEMM kernel: matmul (with batching) and the fused linear layer op. */
import { channelSums, copyStrided, gemm, reduce, unary, unaryBackward } from '@deepwasm/kernels';
import { Tensor, recordOp } from '../tensor/tensor.js';
import { formatShape, sizeOf } from '../tensor/shape.js';
import { defineOp } from '../check/operands.js';
import { freshGradient } from '../autograd/fresh.js';

/** A leading dimension for a row of n floats: BLAS wants at least 1 even when a side is empty (K = 0 or N = 0). */
const ld = (n: number): number => Math.max(1, n);

function mismatch(op: string, a: Tensor, b: Tensor, why: string): Error {
  return new Error(`${op}: cannot multiply ${formatShape(a.shape)} by ${formatShape(b.shape)}: ${why}`);
}

/**
 * Matrix product with PyTorch's rules for the common cases: [M,K]@[K,N], [...,M,K]@[K,N] (the
 * leading axes fold into M: one GEMM), [B,M,K]@[B,K,N] (one GEMM per batch entry), and 1-D
 * operands treated as a row or column vector (that axis is dropped from the result).
 */
export const matmul = defineOp('matmul', 'a b', function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim === 0 || b.ndim === 0) throw mismatch('matmul', a, b, 'both operands need at least one dimension');
  const aVec = a.ndim === 1;
  const bVec = b.ndim === 1;
  const aShape = aVec ? [1, a.shape[0]!] : [...a.shape];
  const bShape = bVec ? [b.shape[0]!, 1] : [...b.shape];
  const K = aShape[aShape.length - 1]!;
  const Kb = bShape[bShape.length - 2]!;
  if (K !== Kb) throw mismatch('matmul', a, b, `inner dimensions ${K} and ${Kb} differ`);
  const M = aShape[aShape.length - 2]!;
  const N = bShape[bShape.length - 1]!;
  const aBatch = aShape.slice(0, -2);
  const bBatch = bShape.slice(0, -2);
  let outShape: number[];
  let batch: number;
  let foldA = false;
  if (bBatch.length === 0) {
    foldA = true;
    batch = 1;
    outShape = [...aBatch, M, N];
  } else {
    if (aBatch.length !== bBatch.length || aBatch.some((d, i) => d !== bBatch[i])) {
      throw mismatch('matmul', a, b, 'batch dimensions differ (broadcasting batch dimensions is not supported)');
    }
    batch = sizeOf(aBatch);
    outShape = [...aBatch, M, N];
  }
  const rowsA = foldA ? sizeOf(aBatch) * M : M;
  const out = Tensor.empty(outShape);
  const k = a.k;
  for (let i = 0; i < batch; i++) {
    gemm(k, false, false, rowsA, N, K, 1, a.ptr + i * M * K * 4, ld(K), b.ptr + i * K * N * 4, ld(N), 0, out.ptr + i * M * N * 4, ld(N));
  }
  if (aVec) outShape.splice(outShape.length - 2, 1);
  if (bVec) outShape.splice(outShape.length - 1, 1);
  const result = aVec || bVec ? Tensor.view(out, outShape) : out;
  if (result !== out) out.dispose();
  return recordOp(
    result,
    'matmul',
    [a, b],
    (g) => {
      let ga: Tensor | null = null;
      let gb: Tensor | null = null;
      if (a.requiresGrad) {
        ga = Tensor.empty(a.shape);
        for (let i = 0; i < batch; i++) {
          // dA = dC · Bᵀ
          gemm(k, false, true, rowsA, K, N, 1, g.ptr + i * M * N * 4, ld(N), b.ptr + i * K * N * 4, ld(N), 0, ga.ptr + i * M * K * 4, ld(K));
        }
      }
      if (b.requiresGrad) {
        gb = Tensor.empty(b.shape);
        for (let i = 0; i < batch; i++) {
          // dB = Aᵀ · dC
          gemm(k, true, false, K, N, rowsA, 1, a.ptr + i * M * K * 4, ld(K), g.ptr + i * M * N * 4, ld(N), 0, gb.ptr + i * K * N * 4, ld(N));
        }
      }
      return [ga, gb];
    },
    [a, b],
  );
});

/**
 * y = x · Wᵀ + b with PyTorch's layout: x [..., in], weight [out, in], bias [out].
 * The bias is written first and the GEMM accumulates onto it (beta = 1): no extra pass.
 */
export const linear = defineOp('linear', 'x weight bias:tensor?', function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  return linearOp('linear', x, weight, bias ?? null, false);
});

/**
 * relu(linear(x, weight, bias)) as one op: the ReLU runs in place on the product (no tensor of the
 * pre-activation), and the backward pass masks the gradient by the output (y > 0 exactly where the
 * product is: relu keeps positives and NaN, so relu's gradient rule reads the same from either).
 * The same values and gradients, bit for bit, as the two ops. Sequential runs a Linear followed by a
 * ReLU through it.
 */
export const linearRelu = defineOp('linearRelu', 'x weight bias:tensor?', function linearRelu(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  return linearOp('linearRelu', x, weight, bias ?? null, true);
});

function linearOp(op: string, x: Tensor, weight: Tensor, bias: Tensor | null, relu: boolean): Tensor {
  if (weight.ndim !== 2) throw new Error(`${op}: weight must be [out, in], got ${formatShape(weight.shape)}`);
  const [outF, inF] = weight.shape as [number, number];
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== inF) {
    throw new Error(
      `${op}: input ${formatShape(x.shape)} does not match weight ${formatShape(weight.shape)}: ` +
        `expected last input dimension ${inF}`,
    );
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== outF)) {
    throw new Error(`${op}: bias ${formatShape(bias.shape)} does not match weight ${formatShape(weight.shape)}: expected [${outF}]`);
  }
  return denseOp(op, x, weight, bias, relu, sizeOf(x.shape.slice(0, -1)), inF, outF, [...x.shape.slice(0, -1), outF], false);
}

/**
 * relu(conv2d(x, weight, bias)) for a kernel that covers the whole unpadded input (groups 1, no
 * dilation; any stride): one output pixel per image, so x [N, C, H, W] is the rows of a dense layer
 * [N, C*H*W] and the output [N, OC, 1, 1] its [N, OC] (LeNet-5's C5). The kernel calls of conv2d's
 * dense path (the same GEMMs, the bias gradient by channel sums) with linearRelu's ReLU: the bits of
 * relu(conv2d(...)), one op and one tensor fewer. Sequential runs a Conv2d followed by a ReLU through
 * it when the input's shape makes the convolution dense.
 */
export const denseConv2dRelu = defineOp('denseConv2dRelu', 'x weight bias:tensor?', function denseConv2dRelu(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  if (!denseConvFits(x, weight, 1, 0, 0, 1, 1)) {
    throw new Error(
      `denseConv2dRelu: weight ${formatShape(weight.shape)} must cover the whole of input ${formatShape(x.shape)} ` +
        '([N, C, H, W] and [OC, C, H, W], N >= 1)',
    );
  }
  const [OC] = weight.shape as [number];
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== OC)) {
    throw new Error(`denseConv2dRelu: bias ${formatShape(bias.shape)} does not match weight ${formatShape(weight.shape)}: expected [${OC}]`);
  }
  const N = x.shape[0]!;
  return denseOp('denseConv2dRelu', x, weight, bias ?? null, true, N, x.size / N, OC, [N, OC, 1, 1], true);
});

/** Whether conv2d(x, weight) with these options is a dense layer (see denseConv2dRelu). */
export function denseConvFits(x: Tensor, weight: Tensor, groups: number, padH: number, padW: number, dilationH: number, dilationW: number): boolean {
  if (x.ndim !== 4 || weight.ndim !== 4 || groups !== 1 || padH !== 0 || padW !== 0 || dilationH !== 1 || dilationW !== 1) return false;
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [, CG, KH, KW] = weight.shape as [number, number, number, number];
  return N >= 1 && CG === C && KH === H && KW === W;
}

/**
 * out [rows, outF] (shaped outShape) = act(x [rows, inF] · Wᵀ + b), W [outF, inF] in weight's memory;
 * the bias gradient sums the rows as a reduction (linear) or as a convolution's channel sums.
 */
function denseOp(
  op: string, x: Tensor, weight: Tensor, bias: Tensor | null, relu: boolean, rows: number, inF: number, outF: number, outShape: number[], channelBias: boolean,
): Tensor {
  const out = Tensor.empty(outShape);
  const k = x.k;
  if (bias) copyStrided(k, out.ptr, [outF, 1], bias.ptr, [0, 1], [rows, outF]);
  gemm(k, false, true, rows, outF, inF, 1, x.ptr, ld(inF), weight.ptr, ld(inF), bias ? 1 : 0, out.ptr, ld(outF));
  if (relu) unary(k, 'relu', out.ptr, out.ptr, out.size);
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return recordOp(
    out,
    op,
    inputs,
    (grad) => {
      let g = grad;
      if (relu) {
        // relu's gradient read from the output: out <= 0 exactly where the product was <= 0.
        g = Tensor.empty(out.shape);
        unaryBackward(k, 'relu', g.ptr, grad.ptr, out.ptr, out.ptr, out.size);
      }
      let gx: Tensor | null = null;
      let gw: Tensor | null = null;
      let gbias: Tensor | null = null;
      if (x.requiresGrad) {
        gx = Tensor.empty(x.shape);
        gemm(k, false, false, rows, inF, outF, 1, g.ptr, ld(outF), weight.ptr, ld(inF), 0, gx.ptr, ld(inF));
      }
      if (weight.requiresGrad) {
        gw = Tensor.empty(weight.shape);
        gemm(k, true, false, outF, inF, rows, 1, g.ptr, ld(outF), x.ptr, ld(inF), 0, gw.ptr, ld(inF));
      }
      if (bias?.requiresGrad) {
        gbias = Tensor.empty(bias.shape);
        if (channelBias) channelSums(k, gbias.ptr, g.ptr, rows, outF, 1);
        else reduce(k, 'sum', gbias.ptr, g.ptr, 1, rows, outF);
      }
      if (g !== grad) g.dispose();
      return bias ? [gx, freshGradient(gw), freshGradient(gbias)] : [gx, freshGradient(gw)];
    },
    relu ? [x, weight, out] : [x, weight],
  );
}
