// Sampling kernels on Philox4x32-10 (see philox.ts for the stream layout). Each takes the key (k0, k1)
// and the first block b0 (element 16 t + 4 w + j uses block b0 + 4 t + j), so a range split across
// threads at a multiple of 16 elements gives the same samples as one call.
import { MODE_BERNOULLI, MODE_BERNOULLI_SIGMOID, MODE_DROPOUT, MODE_NORMAL, MODE_UNIFORM, philoxGroups } from './philox';

/** out[i] = u_i, uniform in [0, 1) on the 2^-24 grid. */
export function f32_uniform_philox(out: usize, n: i32, k0: u32, k1: u32, b0: u32): void {
  philoxGroups(MODE_UNIFORM, 0, 0, out, n, 1.0, k0, k1, b0);
}

/** out[i] = u_i < p[i] ? 1 : 0 (p outside [0, 1] clamps naturally; NaN gives 0). */
export function f32_bernoulli_philox(p: usize, out: usize, n: i32, k0: u32, k1: u32, b0: u32): void {
  philoxGroups(MODE_BERNOULLI, p, 0, out, n, 1.0, k0, k1, b0);
}

/**
 * s_i = sigmoid(beta * x[i]); prob[i] = s_i when prob != 0; out[i] = u_i < s_i ? 1 : 0. The fused
 * conditional of a binary unit given its total input (beta = 1, or the inverse temperature).
 */
export function f32_bernoulli_sigmoid_philox(x: usize, prob: usize, out: usize, n: i32, beta: f32, k0: u32, k1: u32, b0: u32): void {
  philoxGroups(MODE_BERNOULLI_SIGMOID, x, prob, out, n, beta, k0, k1, b0);
}

/** out[i] = (mean != 0 ? mean[i] : 0) + std * z_i, z_i standard normal (Box-Muller on word pairs). */
export function f32_normal_philox(mean: usize, out: usize, n: i32, std: f32, k0: u32, k1: u32, b0: u32): void {
  philoxGroups(MODE_NORMAL, mean, 0, out, n, std, k0, k1, b0);
}

/**
 * Inverted dropout in one pass: m_i = u_i < p ? 0 : scale; out[i] = src[i] * m_i (src != 0) or m_i.
 * The same key on the output gradient gives the backward pass, so no mask is kept.
 */
export function f32_dropout_philox(src: usize, out: usize, n: i32, p: f32, scale: f32, k0: u32, k1: u32, b0: u32): void {
  philoxGroups(MODE_DROPOUT, src, 0, out, n, scale, k0, k1, b0, p);
}
