/**
 * Build-time assets of the page, written into public/ (gitignored) before Vite runs:
 *  - public/data/mnist-{train,test}-{images,labels}.u8: the 8,000 / 2,000 MNIST split of
 *    @deepwasm/data (seed 0, the Node demo's split) as bytes, 7.8 MB in all. The mnist package's
 *    pixels are k/255 rounded to 3 decimals, so one byte per pixel holds them exactly: the page
 *    decodes byte k as round(k/255, 3) and trains on the same float32 digits as Node.
 *  - public/data/mnist.json: the counts, the seed and that decoding rule.
 * Everything comes from packages already installed: the build works offline.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mnistSplit } from '@deepwasm/data';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'public', 'data');
const manifest = { format: 'deepwasm-mnist-u8', version: 1, train: 8000, test: 2000, seed: 0, pixels: 784, decode: 'round(k / 255, 3)' };

const decode = (k) => Math.round((k / 255) * 1000) / 1000;

async function upToDate() {
  try {
    return (await readFile(join(out, 'mnist.json'), 'utf8')) === JSON.stringify(manifest);
  } catch {
    return false;
  }
}

if (!(await upToDate())) {
  const started = Date.now();
  const { train, test } = mnistSplit({ train: manifest.train, test: manifest.test, seed: manifest.seed });
  await mkdir(out, { recursive: true });
  for (const [name, ds] of [['train', train], ['test', test]]) {
    const bytes = new Uint8Array(ds.x.length);
    for (let i = 0; i < ds.x.length; i++) {
      const v = ds.x[i];
      const k = Math.round(v * 255);
      if (!(k >= 0 && k <= 255) || Math.fround(decode(k)) !== v) {
        throw new Error(`mnist assets: pixel ${i} of ${name} is ${v}, which one byte does not hold exactly`);
      }
      bytes[i] = k;
    }
    await writeFile(join(out, `mnist-${name}-images.u8`), bytes);
    await writeFile(join(out, `mnist-${name}-labels.u8`), Uint8Array.from(ds.y));
  }
  await writeFile(join(out, 'mnist.json'), JSON.stringify(manifest));
  console.log(`assets: MNIST ${manifest.train} / ${manifest.test} digits as bytes in ${out} (${Date.now() - started} ms)`);
}
