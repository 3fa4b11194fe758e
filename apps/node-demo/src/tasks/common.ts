/** Shared by the sequence tasks: options, a training-loop step with clipping, and output files. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as nn from '@deepwasm/nn';

export interface TaskOptions {
  seed?: number;
  /** Folder for plots and saved models (nothing is written when absent). */
  out?: string;
  /** Show progress bars (default true), or draw them on this writer. */
  progress?: boolean | nn.ProgressWriter;
  /** Override the task's step budget. */
  steps?: number;
  log?: (line: string) => void;
}

/** One optimisation step inside a scope: loss, backward, clip the global norm, update. Returns the loss. */
export function trainStep(params: nn.Tensor[], opt: { zeroGrad(): void; step(): void }, clip: number, lossFn: () => nn.Tensor): number {
  return nn.tidy(() => {
    opt.zeroGrad();
    const loss = lossFn();
    loss.backward();
    nn.clipGradNorm_(params, clip);
    opt.step();
    return loss.item();
  });
}

export async function writeOut(dir: string | undefined, name: string, content: string | Uint8Array): Promise<string | null> {
  if (!dir) return null;
  await mkdir(dir, { recursive: true });
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

export function bar(total: number, label: string, show: boolean | nn.ProgressWriter): nn.ProgressBar {
  return new nn.ProgressBar(total, label, show === false ? null : show === true ? undefined : show);
}
