export { DBN, dbn, type DBNOptions, type PretrainOptions, type SampleOptions } from './dbn.js';
export { DBM, dbm, type DBMOptions, type DBMTrainOptions } from './dbm.js';
