export { DBN, dbn, type DBNOptions, type SampleOptions, type BoundOptions } from './dbn.js';
export { GenerativeLayer, type UpDownOptions } from './up-down.js';
export { DBM, dbm, type DBMOptions, type DBMTrainOptions } from './dbm.js';
export { MAX_ENUMERATED_DBM_UNITS, type DBMAISOptions } from './dbm-partition.js';
export type { PretrainOptions, PretrainStep } from './dbn-pretrain.js';
