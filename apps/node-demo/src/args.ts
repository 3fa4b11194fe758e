/** Minimal flag parsing for the demo: --name value, --name=value, and boolean --flag. */
export interface DemoArgs {
  model: string;
  /** Whether --model was given (tasks with their own models read it then). */
  modelGiven?: boolean;
  /** Dataset of --task gcn (cora or citeseer). */
  dataset?: string;
  /** Seeds to train in --task gcn (mean and spread of the accuracy). */
  seeds?: number;
  /** mnist (default), adding, charlm or reverse. */
  task?: string;
  /** Step budget of a sequence task. */
  steps?: number;
  epochs?: number;
  batchSize: number;
  /** Overrides the recipe's learning rate. */
  lr?: number;
  seed: number;
  out: string;
  bench: boolean;
  help: boolean;
  /** Show the progress bar (default true). */
  progress?: boolean;
}

const USAGE = `usage: demo [--model lenet5|mlp] [--epochs N] [--batch-size 64] [--lr 0.001] [--seed 0] [--out out] [--bench]
       demo --task adding|charlm|reverse|dbn|rbm|graphs [--steps N] [--seed 0] [--out out]
       demo --task gcn [--model gcn|gat] [--dataset cora|citeseer] [--seeds 1] [--epochs 200] [--seed 0] [--out out]

  --model       which network to train on the MNIST split (8,000 train / 2,000 test): lenet5 (default) or mlp
  --epochs      training epochs (default: the model's recipe)
  --batch-size  samples per step (default 64)
  --lr          Adam learning rate (default: the recipe's, 0.002 for lenet5, 0.001 for mlp)
  --seed        seed of the split, the initial weights, dropout and shuffling (default 0)
  --out         folder for the saved model and the plots (default out/)
  --bench       print the quick kernel benchmark (GEMM against tfjs-wasm) instead of training
  --task        a recurrent-network task instead of MNIST:
                  adding   LSTM vs tanh RNN on the adding problem, length 100 (curves in out/adding-problem.svg)
                  charlm   character LSTM language model on Moby-Dick ch. 1-10, bits/char and a text sample
                  reverse  seq2seq with attention reversing 10-digit strings, held-out exact match
                  dbn      deep belief network 784-500-500-2000 (+ labels): pretraining vs random init, filters, samples
                  rbm      784-500 RBM, CD-1 and PCD, scored by AIS in nats (--steps: epochs, default 30)
                  gcn      GCN (or --model gat) on the Cora citation graph (or --dataset citeseer), 200 epochs:
                           validation and test accuracy, hidden layer in 2-D (out/<model>-<dataset>-hidden.svg);
                           --seeds N trains N seeds and prints the mean and spread
                  graphs   a GIN counts the cycles of random graphs (0, 1 or 2) from structure alone
  --steps       training steps of the task (default: the task's own)`;

export function usage(): string {
  return USAGE;
}

export function parseArgs(argv: readonly string[]): DemoArgs {
  const args: DemoArgs = { model: 'lenet5', batchSize: 64, seed: 0, out: 'out', bench: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i]!;
    if (raw === '--') continue;
    if (!raw.startsWith('--')) throw new Error(`unexpected argument "${raw}"\n${USAGE}`);
    const [flag, inline] = raw.slice(2).split('=', 2) as [string, string | undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`--${flag} needs a value\n${USAGE}`);
      return v;
    };
    const number = (): number => {
      const v = Number(value());
      if (!Number.isFinite(v)) throw new Error(`--${flag} needs a number\n${USAGE}`);
      return v;
    };
    switch (flag) {
      case 'model':
        args.model = value();
        args.modelGiven = true;
        break;
      case 'dataset':
        args.dataset = value();
        break;
      case 'seeds':
        args.seeds = number();
        break;
      case 'task':
        args.task = value();
        break;
      case 'steps':
        args.steps = number();
        break;
      case 'epochs':
        args.epochs = number();
        break;
      case 'batch-size':
        args.batchSize = number();
        break;
      case 'lr':
        args.lr = number();
        break;
      case 'seed':
        args.seed = number();
        break;
      case 'out':
        args.out = value();
        break;
      case 'bench':
        args.bench = true;
        break;
      case 'help':
        args.help = true;
        break;
      default:
        throw new Error(`unknown option --${flag}\n${USAGE}`);
    }
  }
  return args;
}
