/** Character vocabulary: sorted unique characters of a text, ids by position; serialisable with a model. */

export class CharVocab {
  readonly chars: readonly string[];
  private readonly index: Map<string, number>;

  constructor(chars: Iterable<string>) {
    this.chars = Object.freeze([...new Set(chars)].sort());
    this.index = new Map(this.chars.map((c, i) => [c, i]));
    for (const c of this.chars) {
      if ([...c].length !== 1) throw new Error(`CharVocab: entry ${JSON.stringify(c)} is not a single character`);
    }
  }

  /** The vocabulary of a text (code points, so characters outside the BMP stay whole). */
  static fromText(text: string): CharVocab {
    return new CharVocab(text);
  }

  static fromJSON(json: { chars: string[] }): CharVocab {
    if (!json || !Array.isArray(json.chars)) throw new Error('CharVocab.fromJSON: expected { chars: string[] }');
    return new CharVocab(json.chars);
  }

  get size(): number {
    return this.chars.length;
  }

  /** Ids of every character; an unknown character is an error naming it and its position. */
  encode(text: string): Int32Array {
    const cps = [...text];
    const out = new Int32Array(cps.length);
    cps.forEach((c, i) => {
      const id = this.index.get(c);
      if (id === undefined) throw new Error(`CharVocab.encode: character ${JSON.stringify(c)} at position ${i} is not in the vocabulary`);
      out[i] = id;
    });
    return out;
  }

  decode(ids: ArrayLike<number>): string {
    let s = '';
    for (let i = 0; i < ids.length; i++) {
      const c = this.chars[ids[i]!];
      if (c === undefined) throw new Error(`CharVocab.decode: id ${ids[i]} at position ${i} is outside [0, ${this.size})`);
      s += c;
    }
    return s;
  }

  toJSON(): { chars: string[] } {
    return { chars: [...this.chars] };
  }
}

/** Entropy in bits per symbol of the unigram (frequency) distribution of ids: what a model that ignores context achieves. */
export function unigramEntropyBits(ids: ArrayLike<number>, vocabSize: number): number {
  const counts = new Float64Array(vocabSize);
  for (let i = 0; i < ids.length; i++) counts[ids[i]!]!++;
  let h = 0;
  for (const c of counts) {
    if (c > 0) {
      const p = c / ids.length;
      h -= p * Math.log2(p);
    }
  }
  return h;
}
