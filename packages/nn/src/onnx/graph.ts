/**
 * Builds an ONNX graph: nodes with unique names in PyTorch's exporter style ("/layer1/0/conv1/Conv",
 * output "/layer1/0/conv1/Conv_output_0"), typed attributes, and initializers stored as raw
 * little-endian bytes.
 */
import { AttributeType, DataType, type AttributeMsg, type NodeMsg, type TensorMsg } from './proto.js';

/** An attribute value: integers, int lists and strings are typed by their JS type; floats are marked. */
export type AttrValue = number | number[] | string | string[] | { float: number } | { floats: number[] };

export const float = (x: number): AttrValue => ({ float: x });
export const floats = (x: number[]): AttrValue => ({ floats: x });

const utf8 = new TextEncoder();
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function toAttribute(name: string, v: AttrValue): AttributeMsg {
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error(`exportOnnx: attribute ${name} = ${v} is not an integer (mark floats with float())`);
    return { name, type: AttributeType.INT, i: v };
  }
  if (typeof v === 'string') return { name, type: AttributeType.STRING, s: utf8.encode(v) };
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'string')) return { name, type: AttributeType.STRINGS, strings: (v as string[]).map((x) => utf8.encode(x)) };
    return { name, type: AttributeType.INTS, ints: v as number[] };
  }
  if ('float' in v) return { name, type: AttributeType.FLOAT, f: v.float };
  return { name, type: AttributeType.FLOATS, floats: v.floats };
}

export class GraphBuilder {
  readonly nodes: NodeMsg[] = [];
  readonly initializers: TensorMsg[] = [];
  private readonly taken = new Set<string>();

  /** `base`, or `base_1`, `base_2`... whichever is free. */
  unique(base: string): string {
    let name = base;
    for (let i = 1; this.taken.has(name); i++) name = `${base}_${i}`;
    this.taken.add(name);
    return name;
  }

  reserve(name: string): void {
    if (this.taken.has(name)) throw new Error(`exportOnnx: the name "${name}" is used twice`);
    this.taken.add(name);
  }

  /** Adds a node under `scope` (a module path, "" at the top) and returns its output names. */
  node(scope: string, opType: string, inputs: string[], attrs: Record<string, AttrValue | undefined> = {}, outputs = 1): string[] {
    const prefix = scope === '' ? '' : `/${scope.split('.').join('/')}`;
    const name = this.unique(`${prefix}/${opType}`);
    const out = Array.from({ length: outputs }, (_, i) => this.unique(`${name}_output_${i}`));
    const attribute = Object.entries(attrs).filter(([, v]) => v !== undefined).map(([k, v]) => toAttribute(k, v!));
    this.nodes.push({ name, op_type: opType, input: inputs, output: out, attribute });
    return out;
  }

  floatInitializer(base: string, dims: readonly number[], data: Float32Array): string {
    const name = this.unique(base);
    let bytes: Uint8Array;
    if (LITTLE_ENDIAN) {
      bytes = new Uint8Array(data.byteLength);
      bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    } else {
      bytes = new Uint8Array(data.length * 4);
      const view = new DataView(bytes.buffer);
      for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i]!, true); // ONNX's raw data is little-endian
    }
    this.initializers.push({ name, dims: [...dims], data_type: DataType.FLOAT, raw_data: bytes });
    return name;
  }

  int64Initializer(base: string, dims: readonly number[], data: readonly number[]): string {
    const name = this.unique(base);
    const bytes = new Uint8Array(data.length * 8);
    const view = new DataView(bytes.buffer);
    data.forEach((x, i) => view.setBigInt64(i * 8, BigInt(x), true));
    this.initializers.push({ name, dims: [...dims], data_type: DataType.INT64, raw_data: bytes });
    return name;
  }
}
