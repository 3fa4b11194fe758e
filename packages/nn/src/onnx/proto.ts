/**
 * The part of onnx.proto (github.com/onnx/onnx, onnx/onnx.proto, IR version 10) that an exported
 * model uses, as a protobufjs JSON descriptor: names and field numbers exactly as in the .proto, so
 * each line can be checked against it. protobufjs (its reflection-only "light" build, no parser and
 * no generated code) does the wire encoding; see docs/onnx.md for why this library.
 */
import protobuf from 'protobufjs/light.js';

const repeated = (type: string, id: number) => ({ rule: 'repeated', type, id });
const f = (type: string, id: number) => ({ type, id });

const DESCRIPTOR = {
  nested: {
    onnx: {
      nested: {
        AttributeProto: {
          fields: {
            name: f('string', 1), f: f('float', 2), i: f('int64', 3), s: f('bytes', 4), t: f('TensorProto', 5), g: f('GraphProto', 6),
            floats: repeated('float', 7), ints: repeated('int64', 8), strings: repeated('bytes', 9), type: f('AttributeType', 20),
          },
          nested: {
            AttributeType: { values: { UNDEFINED: 0, FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8 } },
          },
        },
        ValueInfoProto: { fields: { name: f('string', 1), type: f('TypeProto', 2), doc_string: f('string', 3) } },
        NodeProto: {
          fields: {
            input: repeated('string', 1), output: repeated('string', 2), name: f('string', 3), op_type: f('string', 4),
            attribute: repeated('AttributeProto', 5), doc_string: f('string', 6), domain: f('string', 7),
          },
        },
        ModelProto: {
          fields: {
            ir_version: f('int64', 1), producer_name: f('string', 2), producer_version: f('string', 3), domain: f('string', 4),
            model_version: f('int64', 5), doc_string: f('string', 6), graph: f('GraphProto', 7), opset_import: repeated('OperatorSetIdProto', 8),
            metadata_props: repeated('StringStringEntryProto', 14),
          },
        },
        StringStringEntryProto: { fields: { key: f('string', 1), value: f('string', 2) } },
        GraphProto: {
          fields: {
            node: repeated('NodeProto', 1), name: f('string', 2), initializer: repeated('TensorProto', 5), doc_string: f('string', 10),
            input: repeated('ValueInfoProto', 11), output: repeated('ValueInfoProto', 12), value_info: repeated('ValueInfoProto', 13),
          },
        },
        TensorProto: {
          fields: {
            dims: repeated('int64', 1), data_type: f('int32', 2), float_data: repeated('float', 4), int32_data: repeated('int32', 5),
            int64_data: repeated('int64', 7), name: f('string', 8), raw_data: f('bytes', 9), doc_string: f('string', 12),
          },
        },
        TensorShapeProto: {
          fields: { dim: repeated('Dimension', 1) },
          nested: {
            Dimension: { oneofs: { value: { oneof: ['dim_value', 'dim_param'] } }, fields: { dim_value: f('int64', 1), dim_param: f('string', 2), denotation: f('string', 3) } },
          },
        },
        TypeProto: {
          oneofs: { value: { oneof: ['tensor_type'] } },
          fields: { tensor_type: f('Tensor', 1), denotation: f('string', 6) },
          nested: { Tensor: { fields: { elem_type: f('int32', 1), shape: f('TensorShapeProto', 2) } } },
        },
        OperatorSetIdProto: { fields: { domain: f('string', 1), version: f('int64', 2) } },
      },
    },
  },
};

/** TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, INT32: 6, INT64: 7, BOOL: 9 } as const;
/** AttributeProto.AttributeType values. */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

let root: protobuf.Root | null = null;
function modelType(): protobuf.Type {
  root ??= protobuf.Root.fromJSON(DESCRIPTOR);
  return root.lookupType('onnx.ModelProto');
}

export interface TensorMsg {
  name: string;
  dims: number[];
  data_type: number;
  raw_data: Uint8Array;
}
export interface AttributeMsg {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorMsg;
  floats?: number[];
  ints?: number[];
  strings?: Uint8Array[];
}
export interface NodeMsg {
  name: string;
  op_type: string;
  input: string[];
  output: string[];
  attribute: AttributeMsg[];
}
export interface ValueInfoMsg {
  name: string;
  type: { tensor_type: { elem_type: number; shape: { dim: Array<{ dim_value: number } | { dim_param: string }> } } };
}
export interface ModelMsg {
  ir_version: number;
  producer_name: string;
  producer_version: string;
  opset_import: Array<{ domain: string; version: number }>;
  graph: { name: string; node: NodeMsg[]; initializer: TensorMsg[]; input: ValueInfoMsg[]; output: ValueInfoMsg[]; doc_string?: string };
}

/** The model's bytes (onnx.ModelProto on the wire). */
export function encodeModel(model: ModelMsg): Uint8Array {
  const type = modelType();
  return type.encode(type.fromObject(model as unknown as Record<string, unknown>)).finish();
}

/** Reads bytes back into plain objects (int64 as numbers, bytes as Uint8Array): for tests and tools. */
export function decodeModel(bytes: Uint8Array): ModelMsg {
  const type = modelType();
  return type.toObject(type.decode(bytes), { longs: Number, defaults: false, arrays: true }) as unknown as ModelMsg;
}
