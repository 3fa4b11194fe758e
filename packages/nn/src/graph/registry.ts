/** The graph layers as module types, so saved architectures rebuild them (loadModel). */
import { registerModuleType } from '../modules/registry.js';
import { bool, int, num, oneOf, readConfig } from '../modules/config-schema.js';
import type { Module } from '../modules/module.js';
import { GCNConv } from './gcn-conv.js';
import { GATConv } from './gat-conv.js';
import { SAGEConv } from './sage-conv.js';
import { GINConv } from './gin-conv.js';

const channels = { inChannels: int({ min: 1 }), outChannels: int({ min: 1 }) };

registerModuleType(
  'GCNConv',
  (c) => new GCNConv(c.inChannels, c.outChannels, { improved: c.improved, cached: c.cached, addSelfLoops: c.addSelfLoops, normalize: c.normalize, bias: c.bias }),
  { ...channels, improved: bool(false), cached: bool(false), addSelfLoops: bool(true), normalize: bool(true), bias: bool(true) },
);
registerModuleType(
  'GATConv',
  (c) => new GATConv(c.inChannels, c.outChannels, { heads: c.heads, concat: c.concat, negativeSlope: c.negativeSlope, dropout: c.dropout, addSelfLoops: c.addSelfLoops, bias: c.bias }),
  {
    ...channels, heads: int({ min: 1, default: 1 }), concat: bool(true), negativeSlope: num({ default: 0.2 }), dropout: num({ min: 0, max: 1, default: 0 }),
    addSelfLoops: bool(true), bias: bool(true),
  },
);
registerModuleType(
  'SAGEConv',
  (c) => new SAGEConv(c.inChannels, c.outChannels, { aggr: c.aggr, rootWeight: c.rootWeight, normalize: c.normalize, bias: c.bias }),
  { ...channels, aggr: oneOf(['mean', 'max', 'sum'], 'mean'), rootWeight: bool(true), normalize: bool(false), bias: bool(true) },
);
// GINConv is built around a child module (its nn), so it registers without a schema and checks its config here.
const GIN_FIELDS = { eps: num({ default: 0 }), trainEps: bool(false) };
registerModuleType('GINConv', (config: Record<string, unknown>, children: Module[]) => {
  const c = readConfig(GIN_FIELDS, config, 'config', 'GINConv');
  if (children.length !== 1) throw new Error(`GINConv needs exactly one child (nn), found ${children.length}`);
  return new GINConv(children[0]!, { eps: c.eps, trainEps: c.trainEps });
});
