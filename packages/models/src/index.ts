export { lenet5, LeNetC3, LENET_C3_TABLE, type LeNet5Options } from './lenet5.js';
export { alexnet, type ClassifierOptions } from './alexnet.js';
export { vgg, VGG_CONFIGS, type VggDepth, type VggOptions } from './vgg.js';
export { resnet, BasicBlock, Bottleneck, type ResNetDepth } from './resnet.js';
export { googlenet, Inception, BasicConv2d, type GoogLeNetOptions } from './googlenet.js';
export { summary, summarize, type SummaryRow } from './summary.js';
export * from './recurrent/index.js';
export * from './energy/index.js';
export * from './graph/index.js';
