export { lenet5, LeNetC3, LENET_C3_TABLE, type LeNet5Options } from './lenet5.js';
