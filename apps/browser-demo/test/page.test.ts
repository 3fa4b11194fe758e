/**
 * The demo page in real headless Chromium (Debian's /usr/bin/chromium via playwright-core): it loads
 * the packages through its import map, picks the relaxed-SIMD kernels, trains the character LSTM on
 * Moby-Dick in the page, gets below the text's unigram entropy, and writes text.
 */
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { startServer } from '../src/serve.js';

const CHROMIUM = '/usr/bin/chromium';

describe('browser demo page', () => {
  let browser: Browser;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium); .ci/run does this`);
    ({ server, url } = await startServer());
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
  });

  it('trains the character LSTM in the page below the unigram entropy and generates text', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('response', (r) => {
      if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${r.url()}`);
    });
    await page.goto(`${url}?steps=400&hidden=128&auto=1`);
    await page
      .waitForFunction(() => {
        const s = (window as unknown as { __demo?: { state: string } }).__demo?.state;
        return s === 'done' || s === 'error';
      }, null, { timeout: 150_000 })
      .catch((e: unknown) => {
        throw new Error(`the page never finished: ${String(e)}; page errors: ${errors.join(' | ') || 'none'}`);
      });
    const demo = (await page.evaluate(() => (window as unknown as { __demo: unknown }).__demo)) as {
      state: string; isa: string; threads: number; unigramBits: number; bits: number[]; sample: string; error?: string;
    };
    expect(demo.error).toBeUndefined();
    expect(errors).toEqual([]);
    expect(demo.state).toBe('done');
    expect(demo.isa).toBe('relaxed');
    // The server sends COOP/COEP, so the page is cross-origin isolated and uses every core.
    expect(demo.threads).toBe(await page.evaluate(() => navigator.hardwareConcurrency));
    expect(demo.bits.length).toBeGreaterThan(3);
    const last = demo.bits[demo.bits.length - 1]!;
    expect(last).toBeLessThan(demo.unigramBits - 0.8);
    expect(last).toBeLessThan(demo.bits[0]!);
    expect(demo.sample.startsWith('Call me ')).toBe(true);
    expect(demo.sample.length).toBe('Call me '.length + 400);
    expect(await page.locator('#chart path').count()).toBe(1);
    await page.close();
  });
});
