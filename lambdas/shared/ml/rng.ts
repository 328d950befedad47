/**
 * SplitMix64 (Steele, Lea, Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014;
 * the reference C is Vigna's splitmix64.c): a 64-bit state advanced by the golden-ratio increment
 * 0x9E3779B97F4A7C15, each output the state passed through a 64-bit finaliser. Pure TypeScript
 * with BigInt, no Node built-ins, so the same numbers come out in a Lambda, the worker and a test.
 *
 * Streams: training never draws from one long sequence. Every use gets its own generator whose
 * start state is derived from (seed, purpose, index) only, e.g. the shuffle of epoch 7 is
 * `stream(seed, Purpose.Shuffle, 7)`. A run resumed at epoch 7 therefore draws exactly what an
 * uninterrupted run draws there, without replaying epochs 1-6.
 */

const MASK = (1n << 64n) - 1n;
const GAMMA = 0x9e3779b97f4a7c15n;

/** SplitMix64's output function (the finaliser of MurmurHash3 variant 13): a 64-bit bijection. */
export function mix64(z: bigint): bigint {
  z &= MASK;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK;
  return z ^ (z >> 31n);
}

export class SplitMix64 {
  private s: bigint;

  constructor(state: bigint | number) {
    this.s = BigInt(state) & MASK;
  }

  /** The state, as 16 lowercase hex digits: enough to continue this stream exactly. */
  get state(): string {
    return this.s.toString(16).padStart(16, '0');
  }

  static fromState(hex: string): SplitMix64 {
    return new SplitMix64(BigInt(`0x${hex}`));
  }

  /** The next 64-bit output. */
  nextU64(): bigint {
    this.s = (this.s + GAMMA) & MASK;
    return mix64(this.s);
  }

  /** A double in [0, 1) from the top 53 bits. */
  nextFloat(): number {
    return Number(this.nextU64() >> 11n) / 2 ** 53;
  }

  /** An integer in [0, n), unbiased (rejection sampling on 53-bit draws). n ≤ 2^53. */
  nextInt(n: number): number {
    if (!Number.isSafeInteger(n) || n <= 0) throw new RangeError(`nextInt: n must be a positive safe integer, got ${n}`);
    const limit = Math.floor(2 ** 53 / n) * n;
    for (;;) {
      const x = Number(this.nextU64() >> 11n);
      if (x < limit) return x % n;
    }
  }

  /** A standard normal deviate (Box-Muller, the cosine branch; two uniforms per call). */
  nextGaussian(): number {
    const u1 = 1 - this.nextFloat(); // (0, 1]: log is finite
    const u2 = this.nextFloat();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}

/** What a stream is for; part of its derivation, so two purposes never share draws. */
export enum Purpose {
  /** Initial weights of a model. */
  Init = 1,
  /** The sample order of one epoch (index = epoch number). */
  Shuffle = 2,
  /** Generating a synthetic dataset. */
  Dataset = 3,
}

/**
 * A generator for (seed, purpose, index): start state mix64(mix64(seed ⊕ purpose·GAMMA) + index).
 * `seed` is an integer in 0..2^53-1 (0 is as valid as any other).
 */
export function stream(seed: number, purpose: Purpose, index: number): SplitMix64 {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be an integer in 0..2^53-1, got ${seed}`);
  if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`index must be a non-negative integer, got ${index}`);
  const base = mix64(BigInt(seed) ^ ((BigInt(purpose) * GAMMA) & MASK));
  return new SplitMix64(mix64((base + BigInt(index)) & MASK));
}

/** Fisher-Yates (Durstenfeld): a uniformly random permutation of 0..n-1. */
export function permutation(n: number, rng: SplitMix64): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    const t = order[i] as number;
    order[i] = order[j] as number;
    order[j] = t;
  }
  return order;
}
