/**
 * nn.exportOnnx(model, sampleInput, options): the model as the bytes of an ONNX file.
 *
 * The exporter runs the model's forward on the sample input (in eval mode, with no gradients) with
 * a tracer on (trace.ts), which records each op the forward calls; each op then becomes ONNX nodes
 * (converters.ts). Dynamic axes (the batch, by default) are found by running the forward a second
 * time with each dynamic axis one longer: the sizes that change follow the dynamic axes, and the
 * converters write them so that the graph holds for any length (shape-converters.ts). A forward
 * whose ops differ between the two runs, or an op with no converter, is refused with the op and
 * the module it was called in.
 */
import { Tensor } from '../tensor/tensor.js';
import { noGrad, tidy } from '../tensor/scope.js';
import { withTracer } from '../tensor/trace-hook.js';
import { concat, narrow } from '../functional/shape-ops.js';
import type { Module } from '../modules/module.js';
import { checkOptions, describe, optionKeys } from '../check/options.js';
import { Recorder, isRef, type OpRecord, type ValueRef } from './trace.js';
import { GraphBuilder } from './graph.js';
import { ExportContext } from './context.js';
import { CONVERTERS } from './converters.js';
import { DataType, encodeModel, type ValueInfoMsg } from './proto.js';
import { moduleTypeName } from '../modules/module.js';

export interface ExportOnnxOptions {
  /** ONNX opset, 13 to 21 (default 18). */
  opset?: number;
  /** Graph input names (default "input", or "input_0", "input_1"... for several inputs). */
  inputNames?: string[];
  /** Graph output name (default "output"). */
  outputNames?: string[];
  /**
   * Axes of the inputs whose length may change, with their names: one record for every input or
   * one per input (default `{ 0: 'batch' }`); `false` fixes every size to the sample's.
   */
  dynamicAxes?: false | Record<number, string> | Array<Record<number, string>>;
  /** Element type per input (default: int64 for an input read only as embedding indices, else float32). */
  inputTypes?: Array<'float32' | 'int64'>;
}
const OPTIONS = optionKeys<ExportOnnxOptions>({ opset: true, inputNames: true, outputNames: true, dynamicAxes: true, inputTypes: true });

export const MIN_OPSET = 13;
export const MAX_OPSET = 21;
export const DEFAULT_OPSET = 18;

/** The IR version that goes with each opset (onnx/helper.py's VERSION_TABLE). */
const irVersion = (opset: number) => (opset <= 14 ? 7 : opset <= 18 ? 8 : opset <= 20 ? 9 : 10);

export function exportOnnx(model: Module, sampleInput: Tensor | readonly Tensor[], options: ExportOnnxOptions = {}): Uint8Array {
  checkOptions('exportOnnx', options, OPTIONS);
  const inputs = sampleInput instanceof Tensor ? [sampleInput] : [...(sampleInput ?? [])];
  if (inputs.length === 0 || !inputs.every((t) => t instanceof Tensor)) {
    throw new TypeError(`exportOnnx: sampleInput must be a Tensor or a non-empty array of Tensors, got ${describe(sampleInput)}`);
  }
  const opset = options.opset ?? DEFAULT_OPSET;
  if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new RangeError(`exportOnnx: opset must be an integer from ${MIN_OPSET} to ${MAX_OPSET}, got ${describe(opset)}`);
  }
  const inputNames = options.inputNames ?? (inputs.length === 1 ? ['input'] : inputs.map((_, i) => `input_${i}`));
  const outputNames = options.outputNames ?? ['output'];
  if (inputNames.length !== inputs.length) throw new Error(`exportOnnx: ${inputNames.length} inputNames for ${inputs.length} inputs`);
  if (outputNames.length !== 1) throw new Error(`exportOnnx: outputNames must hold one name (a forward returns one tensor), got ${outputNames.length}`);
  const axes = dynamicAxesOf(options.dynamicAxes, inputs);

  const params = new Map<Tensor, string>();
  for (const [n, p] of model.namedParameters()) params.set(p, n);
  for (const [n, b] of model.namedBuffers()) params.set(b, n);
  const paths = new Map<Module, string>();
  for (const [path, m] of model.namedModules()) if (!paths.has(m)) paths.set(m, path);

  const modes = model.namedModules().map(([, m]) => [m, m.training] as const);
  model.eval();
  let a: Trace;
  let b: Trace | null = null;
  try {
    a = trace(model, inputs, params, paths);
    if (axes.some((r) => Object.keys(r).length > 0)) b = trace(model, inputs, params, paths, axes);
  } finally {
    for (const [m, training] of modes) m.training = training;
  }
  a.inputRefs.forEach((r, i) => {
    if (r.id !== a.output.id && !a.records.some((rec) => refsIn(rec.args).some((x) => x.id === r.id))) {
      throw new Error(
        `exportOnnx: input ${i} ("${inputNames[i]}") is never read by an op: the forward turns it into plain numbers (such as token ids read ` +
          'into an array) before any op sees it, so the graph could not depend on it',
      );
    }
  });
  const shapesB = b === null ? new Map<number, number[]>() : compareTraces(a, b);

  const graph = new GraphBuilder();
  inputNames.forEach((n) => graph.reserve(n));
  const int64 = new Set<number>();
  inputs.forEach((_, i) => {
    const type = options.inputTypes?.[i];
    if (type === 'int64' || (type === undefined && onlyIndices(a.records, i))) int64.add(i);
  });
  const ctx = new ExportContext(graph, opset, shapesB, int64);
  a.inputRefs.forEach((r, i) => ctx.bind(r, inputNames[i]!));

  const made = new Set<number>(a.inputRefs.map((r) => r.id));
  a.records.forEach((rec, i) => {
    ctx.rec = rec;
    ctx.recB = b?.records[i] ?? null;
    // An op that handed back one of its inputs (dropout in eval, a pool to the same size) adds nothing.
    if (isRef(rec.result) && (rec.result.kind !== 'value' || made.has(rec.result.id))) return;
    const convert = CONVERTERS[rec.op];
    if (convert === undefined) {
      throw new Error(`exportOnnx: op "${rec.op}" in ${rec.where} has no ONNX converter (docs/onnx.md lists what exports)`);
    }
    convert(ctx);
    for (const r of refsIn(rec.result)) made.add(r.id);
  });

  const outputName = outputNames[0]!;
  ctx.rec = { op: 'output', args: [], result: null, scope: '', where: 'the model' };
  const last = ctx.name(a.output);
  const producer = graph.nodes.find((n) => n.output.includes(last));
  if (producer === undefined || inputNames.includes(outputName)) {
    graph.reserve(outputName);
    graph.nodes.push({ name: '/Identity_output', op_type: 'Identity', input: [last], output: [outputName], attribute: [] });
  } else {
    graph.reserve(outputName);
    for (const n of graph.nodes) {
      n.input = n.input.map((x) => (x === last ? outputName : x));
      n.output = n.output.map((x) => (x === last ? outputName : x));
    }
  }

  // Constants a converter made but no node reads (ONNX Runtime warns about each).
  const read = new Set(graph.nodes.flatMap((n) => n.input));
  const initializers = graph.initializers.filter((t) => read.has(t.name));

  const dimNames = new Map<string, string>();
  const inputInfo = a.inputRefs.map((r, i): ValueInfoMsg => {
    const dyn = axes[i]!;
    const sizeB = b?.inputRefs[i]!.shape;
    return valueInfo(inputNames[i]!, int64.has(i) ? DataType.INT64 : DataType.FLOAT, r.shape.map((d, k) => {
      if (dyn[k] === undefined) return d;
      dimNames.set(`${d}/${sizeB![k]}`, dyn[k]!);
      return dyn[k]!;
    }));
  });
  const outB = b === null ? a.output.shape : ctx.shapeB(a.output);
  const outputInfo = valueInfo(outputName, DataType.FLOAT, a.output.shape.map((d, k) =>
    outB[k] === d ? d : dimNames.get(`${d}/${outB[k]}`) ?? `${outputName}_dim${k}`));

  return encodeModel({
    ir_version: irVersion(opset),
    producer_name: 'deepwasm',
    producer_version: '0.1.0',
    opset_import: [{ domain: '', version: opset }],
    graph: {
      name: moduleTypeName(model), node: graph.nodes, initializer: initializers, input: inputInfo, output: [outputInfo],
    },
  });
}

interface Trace {
  records: OpRecord[];
  inputRefs: ValueRef[];
  output: ValueRef;
  valueCount: number;
}

/** Runs the forward once with the tracer on (with the dynamic axes one longer when `grow` is given). */
function trace(
  model: Module, sample: Tensor[], params: Map<Tensor, string>, paths: Map<Module, string>, grow?: Array<Record<number, string>>,
): Trace {
  return noGrad(() =>
    tidy(() => {
      const inputs = grow === undefined ? sample : sample.map((t, i) => grown(t, Object.keys(grow[i]!).map(Number)));
      const recorder = new Recorder(inputs, params, paths);
      let y: unknown;
      try {
        y = withTracer(recorder, () => model.forward(...inputs));
      } catch (e) {
        if (e instanceof Error && !e.message.startsWith('exportOnnx')) {
          e.message = `exportOnnx: the forward pass on the ${grow ? 'sample input with the dynamic axes one longer' : 'sample input'} failed: ${e.message}`;
        }
        throw e;
      }
      if (!(y instanceof Tensor)) throw new Error(`exportOnnx: the model's forward must return a Tensor, got ${describe(y)}`);
      return { records: recorder.records, inputRefs: inputs.map((t) => recorder.refOf(t)), output: recorder.refOf(y), valueCount: recorder.valueCount };
    }),
  );
}

/** The sample with the first entry of each of `axes` repeated at its end (indices stay valid for embeddings). */
function grown(t: Tensor, axes: number[]): Tensor {
  let x = t;
  for (const a of axes) x = concat([x, narrow(x, a, 0, 1)], a);
  return x;
}

function refsIn(v: unknown, out: ValueRef[] = []): ValueRef[] {
  if (isRef(v)) out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => refsIn(x, out));
  else if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) Object.values(v).forEach((x) => refsIn(x, out));
  return out;
}

/** Both traces made the same ops on the same constants; returns the second trace's shape of every value. */
function compareTraces(a: Trace, b: Trace): Map<number, number[]> {
  const shapes = new Map<number, number[]>();
  const n = Math.max(a.records.length, b.records.length);
  for (let i = 0; i < n; i++) {
    const ra = a.records[i];
    const rb = b.records[i];
    if (ra?.op !== rb?.op) {
      throw new Error(
        `exportOnnx: the forward calls different ops when a dynamic axis is one longer (op ${i + 1}: ${ra?.op ?? 'none'} in ${ra?.where ?? '-'}, then ${rb?.op ?? 'none'}): ` +
          'its structure depends on those sizes; export with dynamicAxes: false or fewer dynamic axes',
      );
    }
    const refsA = refsIn([ra!.args, ra!.result]);
    const refsB = refsIn([rb!.args, rb!.result]);
    if (refsA.length !== refsB.length) throw new Error(`exportOnnx: ${ra!.op} in ${ra!.where} reads or makes a different number of tensors when a dynamic axis is one longer`);
    refsA.forEach((r, k) => {
      const s = refsB[k]!;
      if (r.id !== s.id || r.kind !== s.kind) throw new Error(`exportOnnx: ${ra!.op} in ${ra!.where} reads different tensors when a dynamic axis is one longer`);
      if (r.kind === 'const' && s.kind === 'const' && (r.shape.join() !== s.shape.join() || r.data.some((x, j) => !Object.is(x, s.data[j])))) {
        throw new Error(
          `exportOnnx: ${ra!.op} in ${ra!.where} reads a tensor made outside the traced ops (shape [${r.shape.join(', ')}]) that changes with the dynamic axes; ` +
            'make it with ops from the input (e.g. zerosLike) or export with dynamicAxes: false',
        );
      }
      shapes.set(s.id, s.shape);
    });
  }
  shapes.set(b.output.id, b.output.shape);
  return shapes;
}

/** Whether every op that reads input `index` reads it as embedding indices. */
function onlyIndices(records: readonly OpRecord[], index: number): boolean {
  let used = false;
  for (const r of records) {
    for (const ref of refsIn(r.args)) {
      if (ref.kind !== 'input' || ref.index !== index) continue;
      if (r.op !== 'embedding' || r.args[0] !== ref) return false;
      used = true;
    }
  }
  return used;
}

function dynamicAxesOf(v: ExportOnnxOptions['dynamicAxes'], inputs: readonly Tensor[]): Array<Record<number, string>> {
  if (v === false) return inputs.map(() => ({}));
  const list = v === undefined ? inputs.map(() => ({ 0: 'batch' })) : Array.isArray(v) ? v : inputs.map(() => v);
  if (list.length !== inputs.length) throw new Error(`exportOnnx: dynamicAxes lists ${list.length} inputs, the model is given ${inputs.length}`);
  return list.map((axes, i) => {
    if (axes === null || typeof axes !== 'object') throw new TypeError(`exportOnnx: dynamicAxes[${i}] must be a record of axis -> name, got ${describe(axes)}`);
    for (const [k, name] of Object.entries(axes)) {
      const axis = Number(k);
      if (!Number.isInteger(axis) || axis < 0 || axis >= inputs[i]!.ndim) {
        throw new RangeError(`exportOnnx: dynamic axis ${k} of input ${i} is not an axis of its shape [${inputs[i]!.shape.join(', ')}]`);
      }
      if (typeof name !== 'string' || name === '') throw new TypeError(`exportOnnx: dynamic axis ${k} of input ${i} needs a name, got ${describe(name)}`);
    }
    return axes;
  });
}

function valueInfo(name: string, elemType: number, dims: Array<number | string>): ValueInfoMsg {
  return {
    name,
    type: { tensor_type: { elem_type: elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) } } },
  };
}
