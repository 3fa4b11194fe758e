export { DBN, dbn, type DBNOptions, type PretrainOptions, type SampleOptions } from './dbn.js';
