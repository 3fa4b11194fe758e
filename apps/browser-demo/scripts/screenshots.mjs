/**
 * The README's pictures of the app (docs/images/browser-*.png), taken from the built app (dist/) in
 * headless Chromium: LeNet-5 trained for 3 epochs with a test digit drawn on the pad, and GCN on Cora
 * after its 200 epochs; with --vae the VAE after 10 epochs, with --dbn the DBN at its defaults.
 * Run after a build: node scripts/screenshots.mjs [--vae] [--dbn]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { preview } from 'vite';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('..', import.meta.url));
const docs = fileURLToPath(new URL('../../../docs/images/', import.meta.url));
const server = await preview({ root, logLevel: 'warn', preview: { host: '127.0.0.1', port: 0 } });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage({ viewport: { width: 1180, height: 900 } });
const wait = (view, test, timeout = 600_000) => page.waitForFunction(`(() => { const h = window.__app?.views?.${view}; return !!h && (${test}); })()`, null, { timeout, polling: 250 });
try {
  await page.goto(server.resolvedUrls.local[0]);
  await wait('mnist', 'h.ready');
  await page.fill('#view-mnist [name=epochs]', '3');
  await page.click('#view-mnist [data-run=start]');
  await wait('mnist', "h.state === 'idle' && !!h.finished");
  const images = readFileSync(new URL('../dist/data/mnist-test-images.u8', import.meta.url));
  const labels = readFileSync(new URL('../dist/data/mnist-test-labels.u8', import.meta.url));
  const index = labels.indexOf(3);
  const pad = page.locator('#view-mnist canvas.pad');
  await pad.scrollIntoViewIfNeeded();
  const box = await pad.boundingBox();
  const cell = 11, ox = box.x - 3 * cell, oy = box.y - 2 * cell;
  for (let r = 0; r < 28; r++) {
    for (let c = 0; c < 28; c++) {
      if (images[index * 784 + r * 28 + c] < 128) continue;
      let end = c;
      while (end + 1 < 28 && images[index * 784 + r * 28 + end + 1] >= 128) end++;
      await page.mouse.move(ox + c * cell, oy + r * cell);
      await page.mouse.down();
      await page.mouse.move(ox + end * cell, oy + r * cell, { steps: 3 });
      await page.mouse.up();
      c = end;
    }
  }
  await page.waitForTimeout(1000);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${docs}browser-digits.png`, fullPage: true });
  await page.click('[data-tab=gcn]');
  await wait('gcn', 'h.ready');
  await page.click('#view-gcn [data-run=start]');
  await wait('gcn', "h.state === 'idle' && !!h.finished");
  await page.screenshot({ path: `${docs}browser-gcn.png` });
  if (process.argv.includes('--vae')) {
    await page.click('[data-tab=gen]');
    await wait('gen', 'h.ready');
    await page.fill('#view-gen [name=epochs]', '10');
    await page.click('#view-gen [data-run=start]');
    await wait('gen', "h.state === 'idle' && !!h.finished", 1_800_000);
    await page.screenshot({ path: `${docs}browser-vae.png`, fullPage: true });
  }
  if (process.argv.includes('--dbn')) {
    await page.click('[data-tab=dbn]');
    await wait('dbn', 'h.ready');
    await page.click('#view-dbn [data-run=start]');
    await wait('dbn', "h.state === 'idle' && !!h.finished", 1_800_000);
    await page.screenshot({ path: `${docs}browser-dbn.png`, fullPage: true });
  }
  console.log(`wrote ${docs}browser-digits.png, browser-gcn.png`);
} finally {
  await browser.close();
  await server.close();
}
