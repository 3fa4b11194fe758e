// A Winograd inference layer (one image's tile rows, one chunk) as one job: every thread calls
// f32_winograd_4x4_3x3_layer (or, on 7x7 maps, f32_winograd_2x2_3x3_layer) once, and the calls take units of three phases between them, each
// unit claimed by an atomic counter: the input transform by ranges of channels, the 36 GEMMs one
// product a unit, the output transform (with the batch norm, residual and ReLU) by ranges of output
// channels; a call that finds a phase's units all taken waits until they are done (an i32 count) and
// goes on to the next phase. Before: three jobs a layer (ResNet-50: 11 layers, 33 jobs a forward), each
// a dispatch, the JavaScript between them on the calling thread while the worker spun, and a wait for
// the slowest of two fixed pieces a thread of each transform (14-17% of those jobs in busier minutes,
// tools/bench/study/resnet50-tails.mjs). Each unit is the kernel the three jobs called, on the same
// ranges' rows (the transforms) or on a whole product: the same bits. F(2x2) (ResNet-50's two 7x7
// layers) ran its transforms on the calling thread (0.6-0.7 ms a forward), its 16 GEMMs as a job and the
// batch norm, residual and ReLU as a pass; its output transform now applies them in its store.
import { f32_winograd_4x4_3x3_input, f32_winograd_4x4_3x3_output } from './f32-winograd-4x4-3x3';
import { winograd2x2Input, winograd2x2Output } from './f32-winograd-2x2-3x3';
import { f32_gemm_4x8_channel_affine } from '../gemm/f32-gemm-4x8-channel-affine';

/** Claims the next unit of a phase whose counter is at `at`: its index, or `units` when none is left. */
// @ts-ignore: decorator
@inline
function next(at: usize, units: i32): i32 {
  const u = atomic.add<i32>(at, 1);
  return u < units ? u : units;
}

/**
 * Looks at a phase's count before a waiting call gives up (1-2 s here): it then leaves the rest of
 * the layer to the threads still in it, which finish every unit between them (a waiting call holds no
 * unit). So a thread that failed inside a unit (its error is in the pool's control block) or stalled
 * leaves the caller in the pool's wait, which reports the error or the stall, not spinning in here.
 */
const WAIT_LOOKS: i64 = 1 << 29;

/** Returns true once `units` units of a phase are done (its i32 count at `at`), false if it gave up. */
// @ts-ignore: decorator
@inline
function waitFor(at: usize, units: i32): bool {
  for (let looks: i64 = 0; atomic.load<i32>(at) < units; looks++) if (looks >= WAIT_LOOKS) return false;
  return true;
}

/**
 * The middle phase of both layers: the `n` products m[xi] = packed[xi] v[xi] (OC x C times C x T) one
 * a unit, then the wait until all are done (false if it gave up).
 */
function products(n: i32, C: i32, T: i32, OC: i32, packed: usize, perBytes: i32, v: usize, m: usize, state: usize, scratch: usize): bool {
  const vBytes = <usize>C * <usize>T << 2;
  const mBytes = <usize>OC * <usize>T << 2;
  for (let xi = next(state + 8, n); xi < n; xi = next(state + 8, n)) {
    f32_gemm_4x8_channel_affine(OC, T, C, packed + <usize>xi * <usize>perBytes, v + <usize>xi * vBytes, T, m + <usize>xi * mBytes, T, 0, 0, 0, T, 0, scratch);
    atomic.add<i32>(state + 12, 1);
  }
  return waitFor(state + 12, n);
}

/**
 * y [OC, OH, OW] (tile rows th0..th1 of one image, tilesW tiles a row, their T tiles from column `col`
 * of the chunk's buffers) = act(scale conv(x, w) + shift + residual) by F(4x4, 3x3), from x [C, H, W],
 * the 36 filter matrices packed as GEMM A panels (`perBytes` apart), v (36 x C x T floats) and m
 * (36 x OC x T floats) the chunk's buffers. cChunk / oChunk: channels (output channels) a transform
 * unit. state: 5 i32s zeroed before the job (each phase's next unit, and the units done of the first two). scratch: the
 * input transform's plane and 42 v128, and f32_gemm_channel_affine_work_bytes (the larger of the two).
 */
export function f32_winograd_4x4_3x3_layer(
  x: usize, C: i32, H: i32, W: i32, padH: i32, padW: i32, th0: i32, th1: i32, tilesW: i32, col: i32, v: usize, T: i32,
  packed: usize, perBytes: i32, m: usize, OC: i32, scale: usize, shift: usize, residual: usize, relu: i32, y: usize, OH: i32, OW: i32,
  cChunk: i32, oChunk: i32, state: usize, scratch: usize,
): void {
  const inUnits = (C + cChunk - 1) / cChunk;
  for (let u = next(state, inUnits); u < inUnits; u = next(state, inUnits)) {
    const c0 = u * cChunk;
    f32_winograd_4x4_3x3_input(x, C, H, W, padH, padW, th0, th1, tilesW, c0, min(C, c0 + cChunk), v, T, col, scratch);
    atomic.add<i32>(state + 4, 1);
  }
  if (!waitFor(state + 4, inUnits)) return;
  if (!products(36, C, T, OC, packed, perBytes, v, m, state, scratch)) return;
  const outUnits = (OC + oChunk - 1) / oChunk;
  for (let u = next(state + 16, outUnits); u < outUnits; u = next(state + 16, outUnits)) {
    const o0 = u * oChunk;
    f32_winograd_4x4_3x3_output(m, OC, T, col, th0, th1, tilesW, o0, min(OC, o0 + oChunk), scale, shift, residual, relu, y, OH, OW, scratch);
  }
}

/**
 * The same for F(2x2, 3x3): 16 products, v (16 x C x T floats) and m (16 x OC x T), the filters' 16
 * matrices packed `perBytes` apart; `affine`: 0 for no epilogue (scale, shift, residual 0, relu 0).
 * scratch: the input transform's plane ((2 (th1 - th0) + 2) * (8 ceil(tilesW / 4) + 2) floats) and
 * f32_gemm_channel_affine_work_bytes (the larger of the two).
 */
export function f32_winograd_2x2_3x3_layer(
  x: usize, C: i32, H: i32, W: i32, padH: i32, padW: i32, th0: i32, th1: i32, tilesW: i32, col: i32, v: usize, T: i32,
  packed: usize, perBytes: i32, m: usize, OC: i32, affine: i32, scale: usize, shift: usize, residual: usize, relu: i32, y: usize, OH: i32, OW: i32,
  cChunk: i32, oChunk: i32, state: usize, scratch: usize,
): void {
  const inUnits = (C + cChunk - 1) / cChunk;
  for (let u = next(state, inUnits); u < inUnits; u = next(state, inUnits)) {
    const c0 = u * cChunk;
    winograd2x2Input(x, C, H, W, padH, padW, th0, th1, tilesW, c0, min(C, c0 + cChunk), v, T, col, scratch);
    atomic.add<i32>(state + 4, 1);
  }
  if (!waitFor(state + 4, inUnits)) return;
  if (!products(16, C, T, OC, packed, perBytes, v, m, state, scratch)) return;
  const outUnits = (OC + oChunk - 1) / oChunk;
  for (let u = next(state + 16, outUnits); u < outUnits; u = next(state + 16, outUnits)) {
    const o0 = u * oChunk;
    winograd2x2Output(m, OC, T, col, th0, th1, tilesW, o0, min(OC, o0 + oChunk), 0, y, OH, OW, affine != 0, scale, shift, residual, relu != 0);
  }
}
