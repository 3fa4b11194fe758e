/**
 * What each task of the demo does and which options it reads, one entry per task: the usage is
 * generated from this table and the options are checked against it before anything is loaded. A task
 * in the runner table (index.ts) needs an entry here (a test checks it). Lines of `about` stay within
 * 69 characters so the usage fits an 80-column terminal.
 */

/** Options a task may read besides --seed and --out. */
export type TaskOption = 'model' | 'dataset' | 'seeds' | 'epochs' | 'steps' | 'batch-size' | 'lr';

export interface TaskAbout {
  /** One or two short lines for the usage. */
  about: string;
  /** The options it reads: `true`, or the allowed values of a choice (the first is the default). */
  options: Partial<Record<TaskOption, true | readonly string[]>>;
}

export const TASK_ABOUT: Record<string, TaskAbout> = {
  mnist: { about: 'LeNet-5 or an MLP on 8,000 MNIST digits, 2,000 held out (default)', options: { model: ['lenet5', 'mlp'], epochs: true, 'batch-size': true, lr: true } },
  adding: { about: 'LSTM vs tanh RNN on the adding problem, length 100 (3,000 steps)', options: { steps: true } },
  charlm: { about: 'character LSTM on Moby-Dick ch. 1-10: bits/char, a text sample', options: { steps: true } },
  reverse: { about: 'seq2seq with attention reverses 10-digit strings: exact match', options: { steps: true } },
  dbn: { about: 'deep belief net 784-500-500-2000 pretrained vs random init\n(--steps: fine-tuning epochs, default 40; --seeds: the mean of N);\nfilters, samples', options: { steps: true, seeds: true } },
  rbm: { about: '784-500 RBM, CD-1 and PCD, scored by AIS in nats\n(--steps: epochs, default 30)', options: { steps: true } },
  dbm: { about: 'deep Boltzmann machine 784-500-1000: greedy stacking, joint PCD;\ntest bound in nats (AIS), samples, a classifier on its features\n(--epochs: joint epochs, default 5)', options: { epochs: true } },
  gcn: { about: 'GCN or GAT on a citation graph, 200 epochs: validation and test\naccuracy, the hidden layer in 2-D; --seeds N: mean and spread', options: { model: ['gcn', 'gat'], dataset: ['cora', 'citeseer'], seeds: true, epochs: true } },
  graphs: { about: 'a GIN counts the cycles of random graphs from structure alone', options: { steps: true } },
  vae: { about: 'VAE 784-400-20 (or conv): test -ELBO, log-likelihood, samples,\n2-D latent map, conditional samples (--epochs, default 10)', options: { model: ['mlp', 'conv'], epochs: true } },
  gan: { about: 'conditional DCGAN (or MLP GAN): both losses, a sample grid per\nepoch (--epochs, default 10; mlp 30)', options: { model: ['dcgan', 'mlp'], epochs: true } },
  augment: { about: '100 labelled digits: LeNet-5 alone, with shifts, with samples of\na conditional VAE; --seeds N (default 5): mean and spread', options: { seeds: true } },
  karate: { about: "a GCN on Zachary's karate club from its 2 leaders' labels: the\nclub of the other 32 members, the learned 2-D embedding", options: { epochs: true } },
};
