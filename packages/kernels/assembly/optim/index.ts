export { f32_sgd } from './f32-sgd';
export { f32_adam, f32_adam_multi } from './f32-adam';
export { f32_adagrad } from './f32-adagrad';
export { f32_rmsprop } from './f32-rmsprop';
export { f32_adadelta } from './f32-adadelta';
export { f32_sum_squares } from './f32-sum-squares';
