export { exportOnnx, type ExportOnnxOptions, MIN_OPSET, MAX_OPSET, DEFAULT_OPSET } from './export.js';
export { decodeModel as decodeOnnxModel } from './proto.js';
