/**
 * The seedable generator all randomness flows from (xoshiro128**, seeded through splitmix32).
 * Same seed, same numbers, on every engine: only 32-bit integer arithmetic and IEEE doubles.
 */
function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Where a Generator is in its stream (getState / setState). */
export interface GeneratorState {
  seed: number;
  /** xoshiro128**'s four 32-bit words. */
  words: number[];
  /** The second normal of the last Box-Muller pair, not yet returned. */
  spare: number | null;
}

export class Generator {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;
  private spare: number | null = null;
  private seedValue = 0;

  constructor(seed = 0) {
    this.manualSeed(seed);
  }

  /** Resets the generator to the start of the stream of `seed`. */
  manualSeed(seed: number): this {
    if (!Number.isFinite(seed)) throw new Error(`manualSeed: seed must be a finite number, got ${seed}`);
    this.seedValue = seed;
    const st = { s: (seed >>> 0) ^ Math.floor(seed / 4294967296) };
    this.a = splitmix32(st);
    this.b = splitmix32(st);
    this.c = splitmix32(st);
    this.d = splitmix32(st);
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
    this.spare = null;
    return this;
  }

  get seed(): number {
    return this.seedValue;
  }

  /** Uniform 32-bit unsigned integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextU32() >>> 5;
    const lo = this.nextU32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Standard normal (Box-Muller, pairs cached). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new Error(`Generator.int: n must be a positive integer, got ${n}`);
    return Math.floor(this.uniform() * n);
  }

  /** A random permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return p;
  }

  /** The generator's state (like torch.Generator.get_state): setState returns it to this point of its stream. */
  getState(): GeneratorState {
    return { seed: this.seedValue, words: [this.a, this.b, this.c, this.d], spare: this.spare };
  }

  /** Returns to a state that getState gave (like torch.Generator.set_state). */
  setState(state: GeneratorState): this {
    const w = state?.words;
    if (!Array.isArray(w) || w.length !== 4 || !w.every((v) => Number.isInteger(v) && v >= -0x80000000 && v <= 0xffffffff) || (w[0]! | w[1]! | w[2]! | w[3]!) === 0 ||
        !Number.isFinite(state.seed) || !(state.spare === null || Number.isFinite(state.spare))) {
      throw new Error(`Generator.setState: expected a state from getState() ({seed, words: four 32-bit integers not all 0, spare}), got ${JSON.stringify(state)}`);
    }
    [this.a, this.b, this.c, this.d] = w as [number, number, number, number];
    this.seedValue = state.seed;
    this.spare = state.spare;
    return this;
  }

  /** A generator whose stream is independent of this one's (for per-worker or per-layer streams). */
  fork(): Generator {
    return new Generator(this.nextU32() * 4294967296 + this.nextU32());
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** The default generator used when no generator is passed. */
export const defaultGenerator = new Generator(0);

/** Seeds the default generator (like torch.manual_seed). */
export function manualSeed(seed: number): void {
  defaultGenerator.manualSeed(seed);
}
