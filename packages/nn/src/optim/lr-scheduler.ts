/** Learning-rate schedules (torch.optim.lr_scheduler closed forms), stepped once per epoch. */
import { Optimizer, type BaseOptions } from './optimizer.js';
import { describe, int, num } from '../check/options.js';

export abstract class LRScheduler {
  lastEpoch = 0;
  protected readonly baseLrs: number[];

  constructor(protected readonly optimizer: Optimizer<BaseOptions>) {
    if (!(optimizer instanceof Optimizer)) throw new TypeError(`${new.target.name}: optimizer must be an Optimizer, got ${describe(optimizer)}`);
    this.baseLrs = optimizer.paramGroups.map((g) => g.lr);
  }

  protected abstract lrAt(base: number, epoch: number): number;

  step(): void {
    this.lastEpoch++;
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = this.lrAt(this.baseLrs[i]!, this.lastEpoch)));
  }

  getLastLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }
}

/** lr = base * gamma^epoch. */
export class ExponentialLR extends LRScheduler {
  constructor(optimizer: Optimizer<BaseOptions>, readonly gamma: number) {
    super(optimizer);
    num('ExponentialLR', 'gamma', gamma, 0, Infinity, { lo: true });
  }
  protected lrAt(base: number, epoch: number): number {
    return base * this.gamma ** epoch;
  }
}

/** lr = base * gamma^floor(epoch / stepSize). */
export class StepLR extends LRScheduler {
  constructor(optimizer: Optimizer<BaseOptions>, readonly stepSize: number, readonly gamma = 0.1) {
    super(optimizer);
    int('StepLR', 'stepSize', stepSize);
    num('StepLR', 'gamma', gamma, 0, Infinity, { lo: true });
  }
  protected lrAt(base: number, epoch: number): number {
    return base * this.gamma ** Math.floor(epoch / this.stepSize);
  }
}

/** lr = etaMin + (base - etaMin) * (1 + cos(pi * epoch / tMax)) / 2. */
export class CosineAnnealingLR extends LRScheduler {
  constructor(optimizer: Optimizer<BaseOptions>, readonly tMax: number, readonly etaMin = 0) {
    super(optimizer);
    num('CosineAnnealingLR', 'tMax', tMax, 0, Infinity, { lo: true });
    num('CosineAnnealingLR', 'etaMin', etaMin, 0);
  }
  protected lrAt(base: number, epoch: number): number {
    return this.etaMin + ((base - this.etaMin) * (1 + Math.cos((Math.PI * epoch) / this.tMax))) / 2;
  }
}
