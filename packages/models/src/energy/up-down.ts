/**
 * Up-down (contrastive wake-sleep) fine-tuning of a DBN's generative model (Hinton, Osindero and Teh
 * 2006, section 5 and appendix B), and the variational bound on log p(v, y) it improves.
 *
 * Untied, the weights between the lower layers are two sets: recognition weights going up (RBM i's
 * `weight` and `hidden_bias`, which `toClassifier` unrolls) and generative weights going down
 * (`generative{i}.weight` [hidden, visible], `generative{i}.bias` [visible], first copies of RBM i's
 * weight and visible bias). Each batch:
 *  - up (wake) pass: stochastic binary states of every hidden layer from the recognition weights; the
 *    generative weights learn to reconstruct each layer from the state above (the log-likelihood
 *    gradient of p(h_i | h_{i+1}): h_{i+1}^T (h_i - p_i));
 *  - top level: CD-k in the top RBM (penultimate states joined with the labels), started from the up
 *    pass;
 *  - down (sleep) pass: from the negative phase's penultimate state, stochastic states down through
 *    the generative weights (visible probabilities at the bottom); the recognition weights learn to
 *    recover each layer from the one below.
 * The updates go into .grad as negated estimates, so an ordinary optimizer steps them.
 */
import * as nn from '@deepwasm/nn';
import type { DBN } from './dbn.js';

/** Generative (top-down) weights of one untied layer: p(v = 1 | h) = sigmoid(h W + b). */
export class GenerativeLayer extends nn.Module {
  static override readonly typeName = 'GenerativeLayer';
  readonly weight: nn.Tensor;
  readonly bias: nn.Tensor;

  constructor(
    readonly nVisible: number,
    readonly nHidden: number,
  ) {
    super();
    this.weight = this.registerParameter('weight', nn.zeros([nHidden, nVisible]));
    this.bias = this.registerParameter('bias', nn.zeros([nVisible]));
  }

  /** Total input to the visible units, h W + b. */
  visibleInput(h: nn.Tensor): nn.Tensor {
    return nn.noGrad(() => nn.add(nn.matmul(h, this.weight), this.bias));
  }

  forward(h: nn.Tensor): nn.Tensor {
    return nn.noGrad(() => nn.sigmoid(this.visibleInput(h)));
  }

  override getConfig(): nn.ModuleConfig {
    return { type: 'GenerativeLayer', config: { nVisible: this.nVisible, nHidden: this.nHidden } };
  }
}

nn.registerModuleType('GenerativeLayer', (c) => new GenerativeLayer(c.nVisible, c.nHidden), {
  nVisible: nn.configFields.int({ min: 1 }),
  nHidden: nn.configFields.int({ min: 1 }),
});

export interface UpDownOptions {
  /** Passes over the data (default 10). */
  epochs?: number;
  batchSize?: number;
  /**
   * SGD learning rate of every update (default 0.003: at 0.01-0.05 the top RBM's CD updates make the
   * bound oscillate), momentum (default 0.5) and weight decay (default 0).
   */
  lr?: number;
  momentum?: number;
  weightDecay?: number;
  /** Gibbs steps of the top RBM's negative phase (default 3). */
  k?: number;
  progress?: boolean | nn.ProgressWriter;
  generator?: nn.Generator;
}
export const UP_DOWN_OPTIONS = nn.check.optionKeys<UpDownOptions>({
  epochs: true, batchSize: true, lr: true, momentum: true, weightDecay: true, k: true, progress: true, generator: true,
});

/** sum_j (x_j z_j - softplus(z_j)) per row: log of a product of Bernoullis with logits z at the states x. */
function bernoulliLogProb(x: nn.Tensor, z: nn.Tensor): nn.Tensor {
  return nn.sub(nn.sum(nn.mul(x, z), 1), nn.softplusRowSum(z));
}

/** Adds -u (an ascent direction) into p.grad. */
function ascend(p: nn.Tensor, u: nn.Tensor): void {
  nn.accumulateGrad(p, nn.affine(u, -1));
}

/** One up-down step on a batch v [n, sizes[0]] with one-hot labels y [n, numClasses] (or null). */
export function upDownStep(model: DBN, v: nn.Tensor, y: nn.Tensor | null, k: number, g: nn.Generator): void {
  const gen = model.generative;
  if (gen === null) throw new Error('DBN.upDown: call untie() first (it makes the generative weights)');
  const rbms = model.rbms, L = rbms.length, top = rbms[L - 1]!, n = v.shape[0]!;
  const o = { generator: g };
  nn.tidy(() =>
    nn.noGrad(() => {
      // Up (wake) pass with the recognition weights.
      const wake: nn.Tensor[] = [v];
      for (let i = 0; i < L - 1; i++) wake.push(rbms[i]!.sampleHidden(wake[i]!, o).sample);
      for (let i = 0; i < L - 1; i++) {
        const err = nn.sub(wake[i]!, gen[i]!.forward(wake[i + 1]!));
        ascend(gen[i]!.weight, nn.affine(nn.matmul(nn.transpose(wake[i + 1]!), err), 1 / n));
        ascend(gen[i]!.bias, nn.affine(nn.sum(err, 0), 1 / n));
      }
      // Top-level CD-k from the up pass's penultimate state (and the labels).
      const v0 = y === null ? wake[L - 1]! : nn.concat([wake[L - 1]!, y], 1);
      const pos = top.sampleHidden(v0, o);
      let h = pos.sample, vk = v0, hk = pos.prob;
      for (let s = 0; s < k; s++) {
        vk = top.sampleVisible(h, o).sample;
        const neg = top.sampleHidden(vk, o);
        (h = neg.sample), (hk = neg.prob);
      }
      ascend(top.weight, nn.affine(nn.sub(nn.matmul(nn.transpose(pos.prob), v0), nn.matmul(nn.transpose(hk), vk)), 1 / n));
      ascend(top.visibleBias, nn.affine(nn.sum(nn.sub(v0, vk), 0), 1 / n));
      ascend(top.hiddenBias, nn.affine(nn.sum(nn.sub(pos.prob, hk), 0), 1 / n));
      // Down (sleep) pass with the generative weights from the negative phase's penultimate state.
      const sleep: nn.Tensor[] = new Array(L);
      sleep[L - 1] = y === null ? vk : nn.narrow(vk, 1, 0, vk.shape[1]! - y.shape[1]!);
      for (let i = L - 2; i >= 0; i--) {
        const s = nn.bernoulliSigmoid(gen[i]!.visibleInput(sleep[i + 1]!), o);
        sleep[i] = i === 0 ? s.prob : s.sample;
      }
      for (let i = 0; i < L - 1; i++) {
        const err = nn.sub(sleep[i + 1]!, rbms[i]!.hiddenProbabilities(sleep[i]!));
        ascend(rbms[i]!.weight, nn.affine(nn.matmul(nn.transpose(err), sleep[i]!), 1 / n));
        ascend(rbms[i]!.hiddenBias, nn.affine(nn.sum(err, 0), 1 / n));
      }
    }),
  );
}

/**
 * The variational lower bound on log p(v, y) per row, averaged (nats): E_q[log p(v | h1) + ... +
 * log p(h_{L-2} | h_{L-1}) + log p_top(h_{L-1}, y)] + H(q), with q the recognition weights' factorial
 * posteriors, p the generative weights (the RBMs' own when tied) and p_top = exp(-F) / Z of the top RBM.
 * The expectation is estimated from `samples` up passes per row.
 */
export function logProbabilityBound(model: DBN, v: nn.Tensor, y: nn.Tensor | null, logZ: number, samples: number, g: nn.Generator): number {
  const rbms = model.rbms, L = rbms.length, top = rbms[L - 1]!, rows = v.shape[0]!;
  const o = { generator: g };
  let total = 0;
  for (let s = 0; s < samples; s++) {
    total += nn.tidy(() =>
      nn.noGrad(() => {
        let acc = nn.zeros([rows]);
        let below = v;
        for (let i = 0; i < L - 1; i++) {
          const z = rbms[i]!.hiddenInput(below);
          const h = nn.bernoulliSigmoid(z, o).sample;
          const down = model.generative === null ? rbms[i]!.visibleInput(h) : model.generative[i]!.visibleInput(h);
          acc = nn.add(acc, nn.sub(bernoulliLogProb(below, down), bernoulliLogProb(h, z))); // log p(below | h) - log q(h | below)
          below = h;
        }
        const vt = y === null ? below : nn.concat([below, y], 1);
        acc = nn.sub(acc, top.freeEnergy(vt)); // + log p*_top
        return nn.sum(acc).item();
      }),
    );
  }
  return total / (samples * rows) - logZ;
}
