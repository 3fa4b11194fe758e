/**
 * Class labels and table indices, checked in one pass: every entry must be an integer in
 * [0, classes) (or the loss's ignoreIndex). Nothing is truncated: 2.5, NaN, undefined, null, 'a' or
 * 2^32 + 1 are rejected with the op, the position and the value, e.g.
 * `crossEntropy: label 2.5 at position 17 is not an integer class index in [0, 10)`.
 *
 * Labels may be a number[], any typed array, or a Tensor of whole numbers (a tensor of class
 * indices is accepted wherever labels are).
 */
import { Tensor } from '../tensor/tensor.js';
import { describe, show } from './options.js';

/** What the losses, embedding and fit accept as class indices. */
export type IndexArray = ArrayLike<number> | Tensor;

export interface IndexCheck {
  /** Indices must be below this (Infinity: any non-negative integer below 2^31). */
  classes: number;
  /** Also accepted (PyTorch's ignore_index); returned as is and counted. */
  ignoreIndex?: number;
  /** Name the ignored value in messages (when the caller chose it). */
  mentionIgnore?: boolean;
  /** What one entry is called in messages (default 'label'). */
  item?: string;
  /** What an entry must be (default 'class index'). */
  noun?: string;
  /** The valid range in words (default `[0, classes)`). */
  range?: string;
  /** Appended to an out-of-range message, e.g. 'for input [2, 3]'. */
  context?: string;
}

const I32_LIMIT = 2 ** 31;

function bad(op: string, c: IndexCheck, i: number, v: unknown): never {
  const item = c.item ?? 'label';
  const range = c.range ?? `[0, ${c.classes})`;
  const ignore = c.ignoreIndex !== undefined && c.mentionIgnore !== false ? ` (or the ignored ${c.ignoreIndex})` : '';
  if (typeof v === 'number' && Number.isInteger(v)) {
    throw new RangeError(`${op}: ${item} ${v} at position ${i} is outside ${range}${c.context ? ` ${c.context}` : ''}${ignore}`);
  }
  const value = typeof v === 'number' ? show(v) : describe(v);
  const must = c.classes === Infinity ? `a non-negative integer ${c.noun ?? 'class index'}` : `an integer ${c.noun ?? 'class index'} in ${range}`;
  throw new RangeError(`${op}: ${item} ${value} at position ${i} is not ${must}${ignore}`);
}

/**
 * Checks `labels` and returns them as an Int32Array (the same array when it already is one).
 * Throws a TypeError for something that is not a list of numbers.
 */
export function toIndices(op: string, labels: unknown, c: IndexCheck): Int32Array {
  return readIndices(op, labels, c).values;
}

/** toIndices, and how many entries equal ignoreIndex. */
export function readIndices(op: string, labels: unknown, c: IndexCheck): { values: Int32Array; ignored: number } {
  let values: ArrayLike<unknown>;
  if (labels instanceof Tensor) values = labels.data;
  else if (Array.isArray(labels) || (ArrayBuffer.isView(labels) && !(labels instanceof DataView))) values = labels as ArrayLike<unknown>;
  else throw new TypeError(`${op}: ${c.item ?? 'label'}s must be integers (a number[], typed array or Tensor), got ${describe(labels)}`);
  const limit = Math.min(c.classes, I32_LIMIT);
  const ignore = c.ignoreIndex;
  const n = values.length;
  let ignored = 0;
  // Integer typed arrays need only the range check; everything else the integer check too.
  if (values instanceof Int32Array || values instanceof Uint8Array || values instanceof Uint16Array || values instanceof Int16Array || values instanceof Int8Array || values instanceof Uint8ClampedArray) {
    for (let i = 0; i < n; i++) {
      const v = values[i] as number;
      if (v === ignore) ignored++;
      else if (!(v >= 0 && v < limit)) bad(op, c, i, v);
    }
    return { values: values instanceof Int32Array ? values : Int32Array.from(values as ArrayLike<number>), ignored };
  }
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    // (v | 0) === v holds only for numbers that are int32: not for 2.5, NaN, 2^32 + 1, '1' or null.
    if ((v | 0) === v && v >= 0 && v < limit) {
      out[i] = v;
      if (v === ignore) ignored++;
    } else if (v === ignore && typeof v === 'number') {
      out[i] = v;
      ignored++;
    } else bad(op, c, i, v);
  }
  return { values: out, ignored };
}
