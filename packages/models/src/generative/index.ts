export { Autoencoder, DenoisingAutoencoder, type AutoencoderOptions, type DenoisingAutoencoderOptions } from './autoencoder.js';
export type { CodecNet, CodecKind, CodecOptions } from './codec.js';
export { VAE, logMeanExp, type VAEOptions, type ElboTerms, type SampleOptions as VAESampleOptions, type LikelihoodOptions } from './vae.js';
export type { GanModel, GanSampleOptions, GanConditioning, GanJudgement } from './gan-model.js';
export { GAN, type GANOptions } from './gan.js';
export { DCGAN, dcganInit, type DCGANOptions } from './dcgan.js';
export { trainGan, type GanTrainOptions, type GanEpoch, type GanHistory } from './train-gan.js';
export { cycleLabels, type ClassLabels } from './labels.js';
export { trainVae, evaluateVae, type VaeTrainOptions, type VaeEpoch } from './train-vae.js';
