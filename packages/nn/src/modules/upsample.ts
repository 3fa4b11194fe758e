/** PyTorch's nn.Upsample: nearest or bilinear resizing of [N, C, H, W] to a size or by a scale factor. */
import { Module, type ModuleConfig } from './module.js';
import type { Tensor } from '../tensor/tensor.js';
import { tensorArg } from '../check/operands.js';
import { interpolate, readInterpolateOptions, type InterpolateMode, type InterpolateOptions } from '../functional/interpolate.js';

export type UpsampleOptions = InterpolateOptions;

export class Upsample extends Module {
  static override readonly typeName = 'Upsample';
  readonly size: [number, number] | null;
  readonly scaleFactor: [number, number] | null;
  readonly mode: InterpolateMode;
  /** null for 'nearest' (where PyTorch refuses it), else the bilinear setting. */
  readonly alignCorners: boolean | null;

  constructor(opts: UpsampleOptions) {
    super();
    const p = readInterpolateOptions('Upsample', opts);
    this.size = p.size;
    this.scaleFactor = p.scaleFactor;
    this.mode = p.mode;
    this.alignCorners = p.mode === 'nearest' ? null : p.alignCorners;
  }

  forward(x: Tensor): Tensor {
    tensorArg(() => this.describe(), 'input', x);
    const opts: InterpolateOptions = { mode: this.mode };
    if (this.size) opts.size = this.size;
    if (this.scaleFactor) opts.scaleFactor = this.scaleFactor;
    if (this.alignCorners !== null) opts.alignCorners = this.alignCorners;
    return interpolate(x, opts);
  }

  private describe(): string {
    const what = this.size ? `size ${this.size[0]}x${this.size[1]}` : `scaleFactor ${this.scaleFactor![0]}x${this.scaleFactor![1]}`;
    return `Upsample(${what}, ${this.mode})`;
  }

  override getConfig(): ModuleConfig {
    const config: Record<string, unknown> = { mode: this.mode };
    if (this.size) config['size'] = this.size;
    if (this.scaleFactor) config['scaleFactor'] = this.scaleFactor;
    if (this.alignCorners !== null) config['alignCorners'] = this.alignCorners;
    return { type: 'Upsample', config };
  }
}
