/**
 * A layer-by-layer table of a model: output shape and parameter count per layer, like the seeds'
 * VGG-16 walk-through. Sequentials are opened up; other modules (residual or inception blocks) are one
 * row. Runs one forward pass on zeros in eval mode, without gradients.
 */
import * as nn from '@deepwasm/nn';

export interface SummaryRow {
  name: string;
  type: string;
  outputShape: number[];
  params: number;
}

export function summarize(model: nn.Module, inputShape: readonly number[]): { rows: SummaryRow[]; totalParams: number; outputShape: number[] } {
  const rows: SummaryRow[] = [];
  const wasTraining = model.training;
  model.eval();
  try {
    const outputShape = nn.noGrad(() =>
      nn.tidy(() => {
        const walk = (m: nn.Module, x: nn.Tensor, prefix: string): nn.Tensor => {
          if (m instanceof nn.Sequential) {
            let y = x;
            m.layers.forEach((layer, i) => {
              const name = prefix ? `${prefix}.${m.names[i]}` : m.names[i]!;
              y = walk(layer, y, name);
            });
            return y;
          }
          const y = m.forward(x);
          rows.push({ name: prefix, type: nn.moduleTypeName(m), outputShape: [...y.shape], params: m.numParameters() });
          return y;
        };
        return [...walk(model, nn.zeros(inputShape), '').shape];
      }),
    );
    return { rows, totalParams: model.numParameters(), outputShape };
  } finally {
    model.train(wasTraining);
  }
}

/** The summary as text. */
export function summary(model: nn.Module, inputShape: readonly number[]): string {
  const { rows, totalParams } = summarize(model, inputShape);
  const fmt = (n: number) => n.toLocaleString('en-US');
  const lines = rows.map((r) => [r.name, r.type, `[${r.outputShape.join(', ')}]`, r.params ? fmt(r.params) : '0']);
  const header = ['layer', 'type', 'output shape', 'params'];
  const w = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const row = (c: string[]) => c.map((s, i) => (i === 3 ? s.padStart(w[i]!) : s.padEnd(w[i]!))).join('  ');
  return [row(header), w.map((n) => '-'.repeat(n)).join('  '), ...lines.map(row), '', `input [${inputShape.join(', ')}], ${fmt(totalParams)} parameters`].join('\n');
}
