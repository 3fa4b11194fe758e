/**
 * The page: tabs for the views (each mounted, with its own training worker, when first shown) and the
 * page clock, a 50 ms timer on the main thread whose ticks and longest gap show that the page stays
 * responsive while the workers train.
 */
import './style.css';
import { hooks } from './views/common.js';
import { mountMnist } from './views/mnist.js';

const mounts: Record<string, (root: HTMLElement) => void | Promise<void>> = {
  mnist: mountMnist,
  text: async (root) => (await import('./views/text.js')).mountText(root),
  dbn: async (root) => (await import('./views/dbn.js')).mountDbn(root),
  gen: async (root) => (await import('./views/gen.js')).mountGen(root),
  gcn: async (root) => (await import('./views/gcn.js')).mountGcn(root),
};
const mounted = new Set<string>();

function show(name: string): void {
  if (!(name in mounts)) name = 'mnist';
  for (const v of document.querySelectorAll<HTMLElement>('.view')) v.hidden = v.dataset.view !== name;
  for (const a of document.querySelectorAll<HTMLElement>('[data-tab]')) a.classList.toggle('active', a.dataset.tab === name);
  if (!mounted.has(name)) {
    mounted.add(name);
    void Promise.resolve(mounts[name]!(document.getElementById(`view-${name}`)!)).catch((e: unknown) => console.error(e));
  }
}

window.addEventListener('hashchange', () => show(location.hash.slice(1)));
show(location.hash.slice(1));

// The page clock.
const clockEl = document.getElementById('clock')!;
const clock = hooks.clock;
let last = performance.now();
const t0 = last;
clock.reset = () => {
  clock.ticks = 0;
  clock.maxGapMs = 0;
  last = performance.now();
};
setInterval(() => {
  const now = performance.now();
  clock.ticks++;
  clock.maxGapMs = Math.max(clock.maxGapMs, now - last);
  last = now;
  clockEl.textContent = `page clock ${((now - t0) / 1000).toFixed(1)} s`;
}, 50);
