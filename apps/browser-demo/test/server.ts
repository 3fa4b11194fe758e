/** The built app (dist/) on Vite's preview server, which sends COOP/COEP (vite.config.ts), and Chromium. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { preview, type PreviewServer } from 'vite';
import { chromium, type Browser } from 'playwright-core';

export const APP_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CHROMIUM = '/usr/bin/chromium';

export async function startPreview(): Promise<{ server: PreviewServer; url: string }> {
  if (!existsSync(new URL('../dist/index.html', import.meta.url))) throw new Error('dist/ is missing: build the app first (pnpm --filter @deepwasm/browser-demo build)');
  const server = await preview({ root: APP_ROOT, logLevel: 'warn', preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false } });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('the preview server has no URL');
  return { server, url };
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium); .ci/run does this`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}
