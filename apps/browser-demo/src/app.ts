/**
 * The page's logic: loads the kernels (relaxed SIMD when the browser has it), trains a character
 * LSTM on the bundled Moby-Dick chapters step by step (yielding to the page between steps, so it
 * stays responsive), draws the validation curve against the unigram entropy, and samples text.
 * `?steps=N&hidden=H&auto=1` starts training at once; window.__demo reports progress for tests.
 */
import * as nn from '@deepwasm/nn';
import { CharLanguageModel, tokens } from '@deepwasm/models';
import { CharVocab, charLmBatches, corpusText, splitStream, unigramEntropyBits } from '@deepwasm/data/sequences';

interface DemoState {
  state: 'idle' | 'training' | 'done' | 'error';
  isa?: string;
  threads?: number;
  unigramBits?: number;
  bits: number[];
  sample?: string;
  error?: string;
}

const demo: DemoState = { state: 'idle', bits: [] };
(window as unknown as { __demo: DemoState }).__demo = demo;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);
if (params.has('steps')) $<HTMLInputElement>('steps').value = params.get('steps')!;
if (params.has('hidden')) $<HTMLInputElement>('hidden').value = params.get('hidden')!;

const text = corpusText();
const vocab = CharVocab.fromText(text);
const { train, validation } = splitStream(vocab.encode(text), 0.1);
const unigram = unigramEntropyBits(train, vocab.size);
demo.unigramBits = unigram;
let model: CharLanguageModel | null = null;

function drawChart(bits: number[], evalEvery: number, steps: number): void {
  const svg = $<HTMLElement>('chart');
  const W = 860, H = 220, L = 48, B = 28;
  const hi = Math.max(unigram, ...bits) + 0.2;
  const lo = Math.max(0, Math.min(...bits, unigram) - 0.3);
  const x = (i: number) => L + ((W - L - 10) * ((i + 1) * evalEvery)) / steps;
  const y = (v: number) => 10 + ((H - B - 10) * (hi - v)) / (hi - lo);
  const line = bits.map((v, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  svg.innerHTML =
    `<line x1="${L}" x2="${W - 10}" y1="${y(unigram)}" y2="${y(unigram)}" stroke="#999" stroke-dasharray="4 3"/>` +
    `<text x="${W - 12}" y="${y(unigram) - 4}" text-anchor="end" font-size="12" fill="#777">unigram ${unigram.toFixed(2)} bits/char</text>` +
    `<path d="${line}" fill="none" stroke="#1f77b4" stroke-width="2"/>` +
    `<text x="${L}" y="${H - 8}" font-size="12" fill="#555">validation bits/char over ${steps} steps${bits.length ? `: ${bits[bits.length - 1]!.toFixed(2)}` : ''}</text>` +
    [hi, (hi + lo) / 2, lo].map((v) => `<text x="${L - 6}" y="${y(v) + 4}" text-anchor="end" font-size="11" fill="#777">${v.toFixed(1)}</text>`).join('') +
    `<line x1="${L}" x2="${L}" y1="10" y2="${H - B}" stroke="#bbb"/>`;
}

function generate(): void {
  if (!model) return;
  const temperature = Number($<HTMLInputElement>('temperature').value);
  const prime = vocab.encode('Call me ');
  const ids = model.generate({ prime, length: 400, temperature, generator: new nn.Generator(Date.now() % 1e9) });
  demo.sample = vocab.decode(prime) + vocab.decode(ids);
  $('sample').textContent = demo.sample;
}

async function trainModel(): Promise<void> {
  const steps = Math.max(10, Number($<HTMLInputElement>('steps').value) | 0);
  const hidden = Math.max(8, Number($<HTMLInputElement>('hidden').value) | 0);
  const T = 64, Bsz = 32, evalEvery = Math.max(10, Math.round(steps / 20));
  $<HTMLButtonElement>('train').disabled = true;
  $<HTMLButtonElement>('generate').disabled = true;
  demo.state = 'training';
  demo.bits = [];
  model?.dispose();
  nn.manualSeed(0);
  model = new CharLanguageModel({ vocabSize: vocab.size, embedDim: 32, hiddenSize: hidden });
  const params = model.parameters();
  const opt = new nn.Adam(params, { lr: 3e-3 });
  const sched = new nn.CosineAnnealingLR(opt, steps);
  const progress = $<HTMLProgressElement>('progress');
  const started = performance.now();
  let step = 0;
  for (const b of charLmBatches(train, { seqLen: T, batchSize: Bsz, seed: 0 }, steps)) {
    const m = model;
    nn.tidy(() => {
      opt.zeroGrad();
      m.loss(tokens(b.input, T, Bsz), b.target).backward();
      nn.clipGradNorm_(params, 5);
      opt.step();
    });
    sched.step();
    step++;
    if (step % evalEvery === 0 || step === steps) {
      demo.bits.push(m.bitsPerCharacter(validation, T, 16));
      drawChart(demo.bits, evalEvery, steps);
    }
    progress.value = step / steps;
    const rate = (step * T * Bsz) / ((performance.now() - started) / 1000);
    $('status').textContent = `step ${step}/${steps} · ${Math.round(rate).toLocaleString('en-US')} characters/s` +
      (demo.bits.length ? ` · validation ${demo.bits[demo.bits.length - 1]!.toFixed(2)} bits/char` : '');
    // Let the page paint and react between steps.
    await new Promise((r) => setTimeout(r, 0));
  }
  opt.dispose();
  generate();
  demo.state = 'done';
  $<HTMLButtonElement>('train').disabled = false;
  $<HTMLButtonElement>('generate').disabled = false;
}

async function main(): Promise<void> {
  // Every core when the page is cross-origin isolated (the demo server sends COOP/COEP), else one.
  const k = await nn.ready({ baseUrl: new URL('/pkg/kernels/wasm/', location.href) });
  demo.isa = k.isa;
  demo.threads = nn.getNumThreads();
  const threads = `${demo.threads} thread${demo.threads > 1 ? 's' : ''}`;
  $('kernels').textContent = `kernels: ${k.isa === 'relaxed' ? 'WASM relaxed SIMD' : 'WASM SIMD128'}, ${threads}`;
  $('train').addEventListener('click', () => void trainModel().catch(fail));
  $('generate').addEventListener('click', generate);
  $<HTMLInputElement>('temperature').addEventListener('input', (e) => {
    $('tval').textContent = (e.target as HTMLInputElement).value;
  });
  if (params.get('auto') === '1') await trainModel();
}

function fail(e: unknown): void {
  demo.state = 'error';
  demo.error = String((e as Error)?.stack ?? e);
  $('status').textContent = `error: ${demo.error}`;
}

main().catch(fail);
