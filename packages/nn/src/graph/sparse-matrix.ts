/**
 * SparseMatrix: a [rows, cols] matrix in CSR form (row pointers, column indices, values), for sparse
 * node features such as Cora's bag of words (1.3% non-zero). Multiplying it by a dense weight
 * (sparseLinear) costs one multiply-add per stored value and output column, instead of one per
 * matrix entry. It never changes once built; its kernel-memory indices (and the transposed ones for
 * the weight gradient) are made on first use and freed by dispose().
 */
import { checkCsr, csrToKernels, freeCsr, type Csr, type Kernels } from '@deepwasm/kernels';
import { kernels } from '../backend.js';
import { Tensor } from '../tensor/tensor.js';
import { describe } from '../check/options.js';

interface Indices {
  csr: Csr;
  /** By column: rows = cols of the matrix, each entry's row. */
  csrT: Csr;
  /** One row per entry, the entry id of transposed position p (permutes values into csrT's order). */
  permT: Csr;
  values: Tensor;
}

const finalizer = typeof FinalizationRegistry === 'function' ? new FinalizationRegistry<Map<Kernels, Indices>>((m) => m.forEach(freeIndices)) : null;

function freeIndices(ix: Indices): void {
  for (const c of [ix.csr, ix.csrT, ix.permT]) freeCsr(c);
  ix.values.dispose();
}

export class SparseMatrix {
  readonly shape: readonly [number, number];
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly values: Float32Array;
  private readonly perKernels = new Map<Kernels, Indices>();
  private disposed = false;

  /** indptr (rows + 1), indices (column of each entry), values (default all 1), shape [rows, cols]. */
  constructor(indptr: ArrayLike<number>, indices: ArrayLike<number>, values: ArrayLike<number> | null, shape: readonly [number, number]) {
    if (!Array.isArray(shape) || shape.length !== 2) throw new TypeError(`SparseMatrix: shape must be [rows, cols], got ${describe(shape)}`);
    const [rows, cols] = shape;
    checkCsr('SparseMatrix', indptr, indices, rows, cols);
    this.shape = [rows, cols];
    this.indptr = Int32Array.from(indptr);
    this.indices = Int32Array.from(indices);
    if (values !== null && values.length !== indices.length) throw new Error(`SparseMatrix: ${values.length} values for ${indices.length} indices`);
    this.values = values === null ? new Float32Array(indices.length).fill(1) : Float32Array.from(values);
    for (let e = 0; e < this.values.length; e++) {
      if (!Number.isFinite(this.values[e]!)) throw new RangeError(`SparseMatrix: value ${this.values[e]} of entry ${e} is not finite`);
    }
    finalizer?.register(this, this.perKernels, this);
  }

  /** The non-zero entries of a dense row-major [rows, cols] array. */
  static fromDense(data: ArrayLike<number>, rows: number, cols: number): SparseMatrix {
    if (data.length !== rows * cols) throw new Error(`SparseMatrix.fromDense: ${data.length} values for [${rows}, ${cols}]`);
    const indptr = [0];
    const indices: number[] = [];
    const values: number[] = [];
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const v = data[i * cols + j]!;
        if (v !== 0) {
          indices.push(j);
          values.push(v);
        }
      }
      indptr.push(indices.length);
    }
    return new SparseMatrix(indptr, indices, values, [rows, cols]);
  }

  get nnz(): number {
    return this.indices.length;
  }

  /** Each row divided by its sum where that is at least 1 (PyG's NormalizeFeatures on non-negative features). */
  rowNormalize(): SparseMatrix {
    const v = this.values.slice();
    for (let i = 0; i < this.shape[0]; i++) {
      let s = 0;
      for (let e = this.indptr[i]!; e < this.indptr[i + 1]!; e++) s += v[e]!;
      const d = Math.max(s, 1);
      for (let e = this.indptr[i]!; e < this.indptr[i + 1]!; e++) v[e] = v[e]! / d;
    }
    return new SparseMatrix(this.indptr, this.indices, v, this.shape);
  }

  /** Rows picked by index, in that order. */
  rows(index: ArrayLike<number>): SparseMatrix {
    const indptr = [0];
    const indices: number[] = [];
    const values: number[] = [];
    for (let r = 0; r < index.length; r++) {
      const i = index[r]!;
      if (!Number.isInteger(i) || i < 0 || i >= this.shape[0]) throw new RangeError(`SparseMatrix.rows: index ${i} at ${r} is outside [0, ${this.shape[0]})`);
      for (let e = this.indptr[i]!; e < this.indptr[i + 1]!; e++) {
        indices.push(this.indices[e]!);
        values.push(this.values[e]!);
      }
      indptr.push(indices.length);
    }
    return new SparseMatrix(indptr, indices, values, [index.length, this.shape[1]]);
  }

  /** The dense row-major array. */
  toDense(): Float32Array {
    const out = new Float32Array(this.shape[0] * this.shape[1]);
    for (let i = 0; i < this.shape[0]; i++) {
      for (let e = this.indptr[i]!; e < this.indptr[i + 1]!; e++) out[i * this.shape[1] + this.indices[e]!]! += this.values[e]!;
    }
    return out;
  }

  /** The kernel-memory indices and the values as a kept tensor, for k (made on first use). */
  kernelIndices(k: Kernels = kernels()): Indices {
    if (this.disposed) throw new Error(`${this}: the matrix was disposed`);
    let ix = this.perKernels.get(k);
    if (ix === undefined) {
      const [rows, cols] = this.shape;
      const nnz = this.nnz;
      const tptr = new Int32Array(cols + 1);
      for (let e = 0; e < nnz; e++) tptr[this.indices[e]! + 1]!++;
      for (let j = 0; j < cols; j++) tptr[j + 1]! += tptr[j]!;
      const next = tptr.slice(0, cols);
      const tperm = new Int32Array(nnz);
      const trow = new Int32Array(nnz);
      for (let i = 0; i < rows; i++) {
        for (let e = this.indptr[i]!; e < this.indptr[i + 1]!; e++) {
          const p = next[this.indices[e]!]!++;
          tperm[p] = e;
          trow[p] = i;
        }
      }
      const values = Tensor.empty([nnz], k).keep();
      values.data.set(this.values);
      ix = {
        csr: csrToKernels(k, this.indptr, this.indices, rows, cols),
        csrT: csrToKernels(k, tptr, trow, cols, rows),
        permT: csrToKernels(k, Int32Array.from({ length: nnz + 1 }, (_, i) => i), tperm, nnz, nnz),
        values,
      };
      this.perKernels.set(k, ix);
    }
    return ix;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.perKernels.forEach(freeIndices);
    this.perKernels.clear();
    finalizer?.unregister(this);
  }

  toString(): string {
    return `SparseMatrix([${this.shape[0]}, ${this.shape[1]}], ${this.nnz} stored values)`;
  }
}
