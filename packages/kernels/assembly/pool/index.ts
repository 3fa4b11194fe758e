export { f32_maxpool2d, f32_maxpool2d_backward } from './f32-maxpool';
export { f32_maxpool2d_backward_tiled } from './f32-maxpool-backward-tiled';
export { f32_avgpool2d, f32_avgpool2d_backward } from './f32-avgpool';
