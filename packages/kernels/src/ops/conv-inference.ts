/**
 * Convolution for inference with its batch norm, residual and ReLU: y = act(scale[o] conv(x, w)[o] +
 * shift[o] + residual), from weights prepared once (packed GEMM panels or packed Winograd filters)
 * by the caller, who keeps them while the weights do not change (nn's fusedConvBn does).
 * Pointwise and im2col shapes end in f32_gemm_4x8_channel_affine (the epilogue in the GEMM's store,
 * no weight packing per call); most stride-1 3x3 shapes run Winograd F(4x4, 3x3) with the epilogue in
 * its output transform (winograd-4x4.ts); smaller Winograd shapes run their GEMMs on filters transformed and packed
 * once (one image on several threads: one job with the epilogue in the output transform, else an epilogue pass after),
 * pixels-major shapes on weight panels packed once, then one epilogue pass; the rest (groups,
 * dense, direct) run conv2dForward and the pass.
 */
import type { Kernels } from '../load.js';
import {
  checkConvGeometry, conv2dForward, conv2dForwardPixelsMajor, denseApplies, imagesToColumns, packPixelsMajorWeights, pixelsMajor,
  pixelsMajorWeightsFloats, type Conv2dGeometry,
} from './conv.js';
import { directApplies } from './conv-direct.js';
import { conv2dForwardWinogradPacked, MIN_TILES_PACKED, tileChunks, winogradApplies, winogradPackFilters, winogradPackedFloats } from './winograd.js';
import { winograd4x4Applies, winograd4x4Inference, winograd4x4PackedFloats, winograd4x4PackFilters, winogradLayerJob } from './winograd-4x4.js';
import { channelAffine, gemmChannelAffine, packA, packedAFloats, type ChannelAffine } from './gemm-channel-affine.js';
import { maxPool2d, poolOutputSize, type Pool2dGeometry } from './pool.js';
import { kernel } from './check.js';
import { runTasks, splitRange, threadsFor } from '../threads/index.js';

/** The form of the weights conv2dInference reads for a geometry. */
export type ConvWeightsForm = 'packed' | 'winograd4' | 'winograd' | 'pixels' | 'plain';

/**
 * 'packed': 1x1 kernels (any stride: their columns are a strided copy of the image) and the shapes
 * conv2dForward runs as im2col + GEMM; 'winograd4': Winograd F(4x4, 3x3) with the epilogue in its
 * output transform (winograd4x4Applies: 3x3 stride 1 from 16 tiles of 4x4, a 14x14 map at batch 1);
 * 'winograd': F(2x2, 3x3) below that, winogradApplies with the filters packed once
 * (MIN_TILES_PACKED: down to a 7x7 map at batch 1); 'pixels': the pixels-major tile's weight panels
 * (strided 3x3 and 7x7 kernels on large maps), packed once; 'plain' (the weights as they are):
 * groups, dense and direct shapes.
 */
export function convInferenceForm(g: Conv2dGeometry): ConvWeightsForm {
  const { OH, OW } = checkConvGeometry(g, 'convInferenceForm');
  if (g.groups !== 1 || denseApplies(g)) return 'plain';
  if (winograd4x4Applies(g)) return 'winograd4';
  if (winogradApplies(g, MIN_TILES_PACKED)) return 'winograd';
  if (g.KH === 1 && g.KW === 1 && g.padH === 0 && g.padW === 0) return 'packed';
  if (directApplies(g)) return 'plain';
  if (pixelsMajor(g, OH * OW)) return 'pixels';
  return 'packed';
}

/** Floats of the prepared weights of a form (0 for 'plain'). */
export function convWeightsFloats(k: Kernels, g: Conv2dGeometry, form: ConvWeightsForm): number {
  if (form === 'packed') return packedAFloats(k, g.OC, g.C * g.KH * g.KW);
  if (form === 'winograd4') return winograd4x4PackedFloats(k, g.OC, g.C);
  if (form === 'winograd') return winogradPackedFloats(k, g.OC, g.C);
  if (form === 'pixels') return pixelsMajorWeightsFloats(k, g);
  return 0;
}

/** Writes the prepared weights of `form` from w [OC, C, KH, KW] into dst (convWeightsFloats floats). */
export function prepareConvWeights(k: Kernels, g: Conv2dGeometry, form: ConvWeightsForm, w: number, dst: number): void {
  const kk = g.C * g.KH * g.KW;
  if (form === 'packed') packA(k, g.OC, kk, w, kk, dst);
  else if (form === 'winograd4') winograd4x4PackFilters(k, g.OC, g.C, w, dst);
  else if (form === 'winograd') winogradPackFilters(k, g.OC, g.C, w, dst);
  else if (form === 'pixels') packPixelsMajorWeights(k, g, w, dst);
}

/**
 * y [N, OC, OH, OW] = act(scale conv(x, w) + shift + residual). `prepared` holds the weights in
 * convInferenceForm(g)'s form (prepareConvWeights), or is w itself for 'plain'; `form`: that form, if
 * the caller kept it (nn's fusedConvBn does, per layer and input shape).
 */
export function conv2dInference(
  k: Kernels, g: Conv2dGeometry, x: number, prepared: number, e: ChannelAffine, y: number, form: ConvWeightsForm = convInferenceForm(g),
): void {
  const { OH, OW } = checkConvGeometry(g, 'conv2dInference');
  const P = OH * OW;
  if (form === 'packed') {
    const kk = g.C * g.KH * g.KW;
    const image = g.OC * P * 4;
    const straight = kk === g.C && g.strideH === 1 && g.strideW === 1 && P === g.H * g.W;
    const cols = straight ? 0 : k.arena.alloc(kk * P * 4);
    try {
      for (let n = 0; n < g.N; n++) {
        let b = x + n * g.C * g.H * g.W * 4;
        if (!straight) {
          imagesToColumns(k, 'f32_im2col', g, OH, OW, x, 0, n, 1, cols, P);
          b = cols;
        }
        const residual = e.residual === 0 ? 0 : e.residual + n * image;
        gemmChannelAffine(k, g.OC, P, kk, prepared, b, P, y + n * image, P, { ...e, residual });
      }
    } finally {
      if (cols !== 0) k.arena.free(cols);
    }
    return;
  }
  if (form === 'winograd4') return winograd4x4Inference(k, g, x, prepared, e, y, OH, OW);
  if (form === 'winograd' && winograd2x2Job(k, g, x, prepared, e, y, OH, OW)) return;
  if (form === 'winograd') conv2dForwardWinogradPacked(k, g, x, prepared, y, OH, OW);
  else if (form === 'pixels') conv2dForwardPixelsMajor(k, g, x, 0, 0, y, OH, OW, prepared);
  else conv2dForward(k, g, x, prepared, 0, y);
  if (e.scale !== 0 || e.shift !== 0 || e.residual !== 0 || e.relu) channelAffine(k, y, y, g.N, g.OC, P, e);
}

/**
 * The 'winograd' form (F(2x2): ResNet's 7x7 layers at batch 1) of one image whose tile rows make one
 * chunk, on several threads: one job (f32_winograd_2x2_3x3_layer: the transforms by channel ranges,
 * the 16 GEMMs, the batch norm, residual and ReLU in the output transform's store). Returns false
 * (nothing done) otherwise.
 */
function winograd2x2Job(k: Kernels, g: Conv2dGeometry, x: number, packed: number, e: ChannelAffine, y: number, OH: number, OW: number): boolean {
  const tc = tileChunks(g.N, OH, OW, Math.max(g.C, g.OC));
  const T = Math.ceil(OH / 2) * tc.tilesW;
  const threads = threadsFor(k, 16 * g.OC * T * g.C);
  if (g.N !== 1 || tc.maxT !== T || threads <= 1) return false;
  const v = k.arena.alloc(16 * g.C * T * 4);
  const m = k.arena.alloc(16 * g.OC * T * 4);
  try {
    const affine = e.scale !== 0 || e.shift !== 0 || e.residual !== 0 || e.relu;
    const work = kernel(k, 'f32_gemm_channel_affine_work_bytes')() as number;
    winogradLayerJob(k, 'f32_winograd_2x2_3x3_layer', threads, Math.max(tc.planeFloats * 4, work), g.C, g.OC, [
      x, g.C, g.H, g.W, g.padH, g.padW, 0, Math.ceil(OH / 2), tc.tilesW, 0, v, T, packed, packedAFloats(k, g.OC, g.C) * 4, m, g.OC,
      +affine, e.scale, e.shift, e.residual, +e.relu, y, OH, OW,
    ]);
  } finally {
    k.arena.free(v);
    k.arena.free(m);
  }
  return true;
}

/** A max pooling's window after a convolution (PyTorch's MaxPool2d options; the planes and size come from the convolution). */
export type MaxPoolWindow = Omit<Pool2dGeometry, 'planes' | 'H' | 'W'>;

/** The pooled output size of conv2dInferenceMaxPool: { PH, PW } of y [N, OC, PH, PW]. */
export function convInferenceMaxPoolSize(g: Conv2dGeometry, pool: MaxPoolWindow): { PH: number; PW: number } {
  const { OH, OW } = checkConvGeometry(g, 'conv2dInferenceMaxPool');
  const { OH: PH, OW: PW } = poolOutputSize({ ...pool, planes: g.N * g.OC, H: OH, W: OW }, 'conv2dInferenceMaxPool');
  return { PH, PW };
}

/**
 * y [N, OC, PH, PW] = maxpool(act(scale conv(x, w) + shift)): inference's convolution, batch norm, ReLU and
 * max pooling (ResNet's stem), `prepared` as for conv2dInference, no residual. On the pixels-major route at
 * batch 1 without dilation, one pass over the product left pixels-major (f32_pixels_affine_maxpool_nchw, by
 * output rows over the threads): no transpose, epilogue or pooling pass over the full-size output, no argmax;
 * otherwise conv2dInference then maxPool2d. The same bits either way.
 */
export function conv2dInferenceMaxPool(
  k: Kernels, g: Conv2dGeometry, x: number, prepared: number, e: ChannelAffine, pool: MaxPoolWindow, y: number,
): void {
  if (e.residual !== 0) throw new RangeError('conv2dInferenceMaxPool: no residual before the pooling');
  const { OH, OW } = checkConvGeometry(g, 'conv2dInferenceMaxPool');
  const { PH, PW } = convInferenceMaxPoolSize(g, pool);
  const P = OH * OW;
  const fused = g.N === 1 && convInferenceForm(g) === 'pixels' && (pool.dilationH ?? 1) === 1 && (pool.dilationW ?? 1) === 1;
  const full = k.arena.alloc(g.N * g.OC * P * 4);
  const idx = fused ? 0 : k.arena.alloc(g.N * g.OC * PH * PW * 4);
  try {
    if (!fused) {
      conv2dInference(k, g, x, prepared, e, full);
      maxPool2d(k, { ...pool, planes: g.N * g.OC, H: OH, W: OW }, full, y, idx);
      return;
    }
    conv2dForwardPixelsMajor(k, g, x, 0, 0, 0, OH, OW, prepared, full);
    const args = (r0: number, r1: number) => [
      full, OH, OW, g.OC, e.scale, e.shift, +e.relu, pool.KH, pool.KW, pool.strideH, pool.strideW, pool.padH, pool.padW, PH, PW, r0, r1, y,
    ];
    // A tap of a window is a load, a multiply-add and a compare-select over four channels: counted as one multiply-add a float.
    const work = g.OC * PH * PW * pool.KH * pool.KW;
    const threads = threadsFor(k, work);
    if (threads > 1) runTasks(k, splitRange(PH, 8 * threads).map(([r0, r1]) => ({ fn: 'f32_pixels_affine_maxpool_nchw', args: args(r0, r1) })));
    else kernel(k, 'f32_pixels_affine_maxpool_nchw')(...args(0, PH));
  } finally {
    k.arena.free(full);
    if (idx !== 0) k.arena.free(idx);
  }
}
