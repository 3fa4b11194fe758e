/**
 * Shape ops. Our ops take concrete sizes; the ONNX graph must hold for any length of the dynamic
 * axes, so each size is read from both traces (the second has every dynamic axis one longer): a
 * size that changes becomes 0 ("copy the input's", in Reshape), -1 ("whatever is left") or a count
 * from the end, and a size that changes in a way none of those express is refused.
 */
import type { ExportContext } from './context.js';
import { isRef, type ValueRef } from './trace.js';
import type { Converter } from './converters.js';

const refArg = (ctx: ExportContext, i: number): ValueRef => {
  const v = ctx.rec.args[i];
  if (!isRef(v)) return ctx.fail(`argument ${i + 1} is not a tensor`);
  return v;
};
const result = (ctx: ExportContext): ValueRef => {
  const v = ctx.rec.result;
  if (!isRef(v)) return ctx.fail('the result is not a tensor');
  return v;
};
const norm = (axis: number, rank: number) => (axis < 0 ? axis + rank : axis);
/** "To the end" for Slice (ONNX clamps ends to the axis length). */
const END = Number.MAX_SAFE_INTEGER;

/** Any op whose result is its input with another shape (reshape, flatten, squeeze, unsqueeze, view). */
const reshapeLike: Converter = (ctx) => {
  const x = refArg(ctx, 0);
  const y = result(ctx);
  const xDyn = ctx.dynamic(x);
  const xB = ctx.shapeB(x);
  const yB = ctx.shapeB(y);
  const start = ctx.rec.op === 'flatten' ? norm((ctx.rec.args[1] as number | undefined) ?? 0, x.shape.length) : -1;
  const end = ctx.rec.op === 'flatten' ? norm((ctx.rec.args[2] as number | undefined) ?? -1, x.shape.length) : -1;
  if (ctx.rec.op === 'flatten' && start === 1 && end === x.shape.length - 1 && x.shape.length >= 2) {
    ctx.emit(y, 'Flatten', [ctx.name(x)], { axis: 1 });
    return;
  }
  let free = false;
  const target = y.shape.map((d, i) => {
    if (yB[i] === d) return d;
    if (i < x.shape.length && xDyn[i] && x.shape[i] === d && xB[i] === yB[i]) return 0;
    if (free) ctx.fail(`the result ${fmt(y.shape)} has more than one size that follows the dynamic axes in a way Reshape cannot express; export with dynamicAxes: false`);
    free = true;
    return -1;
  });
  ctx.emit(y, 'Reshape', [ctx.name(x), ctx.ints(target)]);
};

const fmt = (s: readonly number[]) => `[${s.join(', ')}]`;

/** slice / narrow: the window each axis keeps, from both traces' sizes. */
const sliceLike: Converter = (ctx) => {
  const x = refArg(ctx, 0);
  const y = result(ctx);
  const windows = (args: unknown[], shape: readonly number[]): Array<[number, number]> => {
    if (ctx.rec.op === 'narrow') {
      const [, dim, start, length] = args as [unknown, number, number, number];
      const a = norm(dim, shape.length);
      return shape.map((d, i) => (i === a ? [start, start + length] : [0, d]));
    }
    const [, begin, size] = args as [unknown, number[], number[] | undefined];
    return shape.map((d, i) => {
      const b0 = begin[i] ?? 0;
      const b = b0 < 0 ? b0 + d : b0;
      const s = size?.[i] ?? -1;
      return [b, s === -1 ? d : b + s];
    });
  };
  const wa = windows(ctx.rec.args, x.shape);
  const wb = ctx.recB ? windows(ctx.recB.args, ctx.shapeB(x)) : wa;
  const xB = ctx.shapeB(x);
  const starts: number[] = [];
  const ends: number[] = [];
  const axes: number[] = [];
  x.shape.forEach((d, i) => {
    const [sa, ea] = wa[i]!;
    const [sb, eb] = wb[i]!;
    const db = xB[i]!;
    if (sa === 0 && sb === 0 && ea === d && eb === db) return;
    const start = sa === sb ? sa : d - sa === db - sb ? sa - d : ctx.fail(`the start on axis ${i} follows a dynamic axis in a way Slice cannot express`);
    const end = ea === d && eb === db ? END : ea === eb ? ea : d - ea === db - eb ? ea - d : ctx.fail(`the end on axis ${i} follows a dynamic axis in a way Slice cannot express`);
    starts.push(start);
    ends.push(end);
    axes.push(i);
  });
  if (axes.length === 0) {
    ctx.emit(y, 'Identity', [ctx.name(x)]);
    return;
  }
  ctx.emit(y, 'Slice', [ctx.name(x), ctx.ints(starts), ctx.ints(ends), ctx.ints(axes)]);
};

const permute: Converter = (ctx) => {
  const x = refArg(ctx, 0);
  const dims = (ctx.rec.args[1] as number[]).map((d) => norm(d, x.shape.length));
  ctx.emit(result(ctx), 'Transpose', [ctx.name(x)], { perm: dims });
};

const transpose: Converter = (ctx) => {
  const x = refArg(ctx, 0);
  const rank = x.shape.length;
  if (rank < 2) return reshapeLike(ctx);
  const [, d0 = -2, d1 = -1] = ctx.rec.args as [unknown, number?, number?];
  const perm = x.shape.map((_, i) => i);
  const a = norm(d0, rank);
  const b = norm(d1, rank);
  perm[a] = b;
  perm[b] = a;
  ctx.emit(result(ctx), 'Transpose', [ctx.name(x)], { perm });
};

const concat: Converter = (ctx) => {
  const parts = ctx.rec.args[0] as ValueRef[];
  const axis = norm((ctx.rec.args[1] as number | undefined) ?? 0, parts[0]!.shape.length);
  ctx.emit(result(ctx), 'Concat', parts.map((p) => ctx.name(p)), { axis });
};

const stack: Converter = (ctx) => {
  const parts = ctx.rec.args[0] as ValueRef[];
  const axis = norm((ctx.rec.args[1] as number | undefined) ?? 0, parts[0]!.shape.length + 1);
  const axes = ctx.ints([axis]);
  const lifted = parts.map((p) => ctx.node('Unsqueeze', [ctx.name(p), axes])[0]!);
  ctx.emit(result(ctx), 'Concat', lifted, { axis });
};

/** expand: a size that follows a dynamic axis is the input's own (1 in Expand's broadcasting). */
const expand: Converter = (ctx) => {
  const x = refArg(ctx, 0);
  const y = result(ctx);
  const yB = ctx.shapeB(y);
  const lead = y.shape.length - x.shape.length;
  const xDyn = ctx.dynamic(x);
  const target = y.shape.map((d, i) => {
    if (yB[i] === d) return d;
    if (i >= lead && xDyn[i - lead]) return 1;
    return ctx.fail(`the size ${d} on axis ${i} follows a dynamic axis the input does not have`);
  });
  ctx.emit(y, 'Expand', [ctx.name(x), ctx.ints(target)]);
};

export const SHAPE_CONVERTERS: Record<string, Converter> = {
  reshape: reshapeLike, flatten: reshapeLike, squeeze: reshapeLike, unsqueeze: reshapeLike,
  slice: sliceLike, narrow: sliceLike, permute, transpose, concat, stack, expand,
};
