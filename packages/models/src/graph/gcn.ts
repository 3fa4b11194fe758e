/**
 * GCN (Kipf and Welling, 2017) as PyTorch Geometric's examples/gcn.py builds it: dropout on the input
 * features, GCNConv(in, 16), ReLU, dropout, GCNConv(16, classes), dropout 0.5; trained with Adam
 * (lr 0.01) and weight decay 5e-4 on the first layer only (parameterGroups), 200 epochs. Sparse
 * features (a SparseMatrix) are dropped out on their stored values. Saves and loads as 'GCN'.
 */
import * as nn from '@deepwasm/nn';

export interface GCNOptions {
  inChannels: number;
  outChannels: number;
  /** Width of the hidden layer (default 16). */
  hiddenChannels?: number;
  /** Dropout on the input and hidden features (default 0.5). */
  dropout?: number;
  /** Keep the first graph's normalisation (default true: one graph, transductive). */
  cached?: boolean;
  generator?: nn.Generator;
}
const GCN_OPTIONS = nn.check.optionKeys<GCNOptions>({ inChannels: true, outChannels: true, hiddenChannels: true, dropout: true, cached: true, generator: true });

export class GCN extends nn.GraphModule {
  static override readonly typeName = 'GCN';
  readonly conv1: nn.GCNConv;
  readonly conv2: nn.GCNConv;
  readonly options: Required<Omit<GCNOptions, 'generator'>>;
  private readonly generator: nn.Generator;

  constructor(opts: GCNOptions) {
    super();
    nn.check.checkOptions('GCN', opts, GCN_OPTIONS);
    const o = {
      inChannels: nn.check.int('GCN', 'inChannels', opts.inChannels),
      outChannels: nn.check.int('GCN', 'outChannels', opts.outChannels),
      hiddenChannels: opts.hiddenChannels === undefined ? 16 : nn.check.int('GCN', 'hiddenChannels', opts.hiddenChannels),
      dropout: opts.dropout === undefined ? 0.5 : nn.check.num('GCN', 'dropout', opts.dropout, 0, 1),
      cached: opts.cached === undefined ? true : nn.check.bool('GCN', 'cached', opts.cached),
    };
    if (opts.generator !== undefined) nn.check.checkGenerator('GCN', opts.generator);
    this.options = o;
    const g = (this.generator = opts.generator ?? nn.defaultGenerator);
    this.conv1 = this.registerModule('conv1', new nn.GCNConv(o.inChannels, o.hiddenChannels, { cached: o.cached, generator: g }));
    this.conv2 = this.registerModule('conv2', new nn.GCNConv(o.hiddenChannels, o.outChannels, { cached: o.cached, generator: g }));
  }

  /** The hidden representation [N, hidden] (after the ReLU), e.g. to plot. */
  hidden(x: nn.NodeFeatures, graph: nn.Graph): nn.Tensor {
    return nn.relu(this.conv1.forward(nn.featureDropout(x, this.options.dropout, this.training, this.generator), graph));
  }

  /** Class scores [N, classes] (logits). */
  forward(x: nn.NodeFeatures, graph: nn.Graph): nn.Tensor {
    const h = nn.dropout(this.hidden(x, graph), this.options.dropout, this.training, this.generator);
    return this.conv2.forward(h, graph);
  }

  /** Kipf and Welling's optimiser groups: weight decay on the first layer only. */
  parameterGroups(weightDecay = 5e-4): Array<{ params: nn.Tensor[]; weightDecay: number }> {
    return [
      { params: this.conv1.parameters(), weightDecay },
      { params: this.conv2.parameters(), weightDecay: 0 },
    ];
  }

  override getConfig(): nn.ModuleConfig {
    return { type: 'GCN', config: { ...this.options } };
  }
}

const { int, num, bool } = nn.configFields;
nn.registerModuleType('GCN', (c) => new GCN(c), {
  inChannels: int({ min: 1 }), outChannels: int({ min: 1 }), hiddenChannels: int({ min: 1, default: 16 }), dropout: num({ min: 0, max: 1, default: 0.5 }),
  cached: bool(true),
});
