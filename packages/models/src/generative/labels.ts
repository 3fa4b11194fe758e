/**
 * Class conditioning shared by the conditional presets: labels checked against the number of classes
 * and turned into one-hot rows that are concatenated to a layer's input (Mirza and Osindero 2014;
 * Sohn et al. 2015).
 */
import * as nn from '@deepwasm/nn';

/** Class labels of a batch: a number[], a typed array, or one label for every row. */
export type ClassLabels = ArrayLike<number> | number;

/** The labels of `n` rows as integers in [0, classes), or an error naming `where`. */
export function readLabels(where: string, labels: ClassLabels | undefined, n: number, classes: number): Int32Array {
  if (classes === 0) {
    if (labels !== undefined) throw new Error(`${where}: labels given, but the model is unconditional (build it with numClasses)`);
    return new Int32Array(0);
  }
  if (labels === undefined) throw new Error(`${where}: the model is conditional on ${classes} classes: give the labels of the ${n} rows`);
  const out = typeof labels === 'number' ? new Int32Array(n).fill(labels) : Int32Array.from(labels as ArrayLike<number>);
  if (out.length !== n) throw new Error(`${where}: ${out.length} labels for ${n} rows`);
  out.forEach((y, i) => {
    if (!Number.isInteger(y) || y < 0 || y >= classes) throw new Error(`${where}: label ${i} is ${(labels as ArrayLike<number>)[i] ?? labels}, expected an integer in 0..${classes - 1}`);
  });
  return out;
}

/** One-hot rows [n, classes] for checked labels. */
export function oneHotRows(labels: Int32Array, classes: number): nn.Tensor {
  const m = new Float32Array(labels.length * classes);
  labels.forEach((y, i) => (m[i * classes + y] = 1));
  return nn.fromArray(m, [labels.length, classes]);
}

/** x [n, f] with the one-hot rows of `labels` appended (x itself when the model is unconditional). */
export function withLabels(x: nn.Tensor, labels: Int32Array, classes: number): nn.Tensor {
  return classes === 0 ? x : nn.concat([x, oneHotRows(labels, classes)], 1);
}

/** Labels 0, 1, ..., classes-1 repeated to fill n rows (a grid with one column per class). */
export function cycleLabels(n: number, classes: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i % classes);
}
