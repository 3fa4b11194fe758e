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
  /** By column, the entry id of each transposed position: where csrT's values are. */
  csrTEntries: Csr;
}

/** The index structure, shared by a matrix and the matrices made from it with other values (withValues). */
interface Structure {
  readonly perKernels: Map<Kernels, Indices>;
  disposed: boolean;
}

const finalizer = typeof FinalizationRegistry === 'function' ? new FinalizationRegistry<Structure>(freeStructure) : null;

function freeStructure(st: Structure): void {
  st.perKernels.forEach((ix) => {
    for (const c of [ix.csr, ix.csrT, ix.csrTEntries]) freeCsr(c);
  });
  st.perKernels.clear();
}

export class SparseMatrix {
  readonly shape: readonly [number, number];
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  private ownValues: Float32Array | null;
  /** Values given as a tensor (withValues): the matrix is a view of another's structure. */
  private readonly valueTensor: Tensor | null = null;
  private readonly keptValues = new Map<Kernels, Tensor>();
  private readonly structure: Structure;
  private readonly owner: boolean;
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
    const v = values === null ? new Float32Array(indices.length).fill(1) : Float32Array.from(values);
    for (let e = 0; e < v.length; e++) {
      if (!Number.isFinite(v[e]!)) throw new RangeError(`SparseMatrix: value ${v[e]} of entry ${e} is not finite`);
    }
    this.ownValues = v;
    this.structure = { perKernels: new Map(), disposed: false };
    this.owner = true;
    finalizer?.register(this, this.structure, this);
  }

  /**
   * The same sparsity pattern with other values, given as a tensor [nnz] (e.g. dropped-out values):
   * no copy of the indices. The result lives as long as this matrix and the tensor do.
   */
  withValues(values: Tensor): SparseMatrix {
    this.checkLive();
    if (!(values instanceof Tensor) || values.ndim !== 1 || values.size !== this.nnz) {
      throw new Error(`SparseMatrix.withValues: expected a tensor [${this.nnz}] (one value per stored entry), got ${describe(values)}`);
    }
    // A second matrix over the same structure: fields set directly, the constructor's checks already passed.
    const view = Object.create(SparseMatrix.prototype) as SparseMatrix;
    return Object.assign(view, {
      shape: this.shape, indptr: this.indptr, indices: this.indices, ownValues: null, valueTensor: values, keptValues: new Map(),
      structure: this.structure, owner: false, disposed: false,
    });
  }

  /** The stored values (a copy for a matrix made by withValues). */
  get values(): Float32Array {
    return this.ownValues ?? this.valueTensor!.toArray();
  }

  /** The values as a tensor [nnz] in kernel memory (kept and owned by the matrix, or the one given to withValues). */
  valuesTensor(k: Kernels = kernels()): Tensor {
    this.checkLive();
    if (this.valueTensor !== null) return this.valueTensor;
    let t = this.keptValues.get(k);
    if (t === undefined || t.isDisposed) {
      t = Tensor.empty([this.nnz], k).keep();
      t.data.set(this.ownValues!);
      this.keptValues.set(k, t);
    }
    return t;
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
    const own = this.values;
    for (let r = 0; r < index.length; r++) {
      const i = index[r]!;
      if (!Number.isInteger(i) || i < 0 || i >= this.shape[0]) throw new RangeError(`SparseMatrix.rows: index ${i} at ${r} is outside [0, ${this.shape[0]})`);
      for (let e = this.indptr[i]!; e < this.indptr[i + 1]!; e++) {
        indices.push(this.indices[e]!);
        values.push(own[e]!);
      }
      indptr.push(indices.length);
    }
    return new SparseMatrix(indptr, indices, values, [index.length, this.shape[1]]);
  }

  /** The dense row-major array. */
  toDense(): Float32Array {
    const out = new Float32Array(this.shape[0] * this.shape[1]);
    const values = this.values;
    for (let i = 0; i < this.shape[0]; i++) {
      for (let e = this.indptr[i]!; e < this.indptr[i + 1]!; e++) out[i * this.shape[1] + this.indices[e]!]! += values[e]!;
    }
    return out;
  }

  /** The kernel-memory indices for k (made on first use, shared with the matrices made by withValues). */
  kernelIndices(k: Kernels = kernels()): Indices {
    this.checkLive();
    let ix = this.structure.perKernels.get(k);
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
      ix = {
        csr: csrToKernels(k, this.indptr, this.indices, rows, cols),
        csrT: csrToKernels(k, tptr, trow, cols, rows),
        csrTEntries: csrToKernels(k, tptr, tperm, cols, nnz),
      };
      this.structure.perKernels.set(k, ix);
    }
    return ix;
  }

  get isDisposed(): boolean {
    return this.disposed || this.structure.disposed;
  }

  /** Frees the kernel memory this matrix owns (the indices too, unless it was made by withValues). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.keptValues.forEach((t) => t.dispose());
    this.keptValues.clear();
    if (this.owner) {
      this.structure.disposed = true;
      freeStructure(this.structure);
      finalizer?.unregister(this);
    }
  }

  private checkLive(): void {
    if (this.isDisposed) throw new Error(`${this}: the matrix was disposed`);
  }

  toString(): string {
    return `SparseMatrix([${this.shape[0]}, ${this.shape[1]}], ${this.nnz} stored values)`;
  }
}
