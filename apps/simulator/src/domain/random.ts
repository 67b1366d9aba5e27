import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import type { JumpableRandomGenerator } from "pure-rand/types/JumpableRandomGenerator";

/**
 * Seeded randomness for the simulation. Backed by pure-rand's xoroshiro128+ (fast-check's PRNG,
 * no dependencies, no install script). Independent streams (one per truck, one for faults) come
 * from the generator's `jump()`, which moves 2^64 draws ahead, so streams never overlap and one
 * truck's draws do not depend on how many draws another truck made.
 */
export interface Random {
  /** Uniform in [0, 1). */
  float(): number;
  /** Uniform in [min, max). */
  between(min: number, max: number): number;
  /** Uniform integer in [min, max] (both included). */
  int(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** Standard normal draw (mean 0, sd 1), Box-Muller. */
  normal(): number;
  /** Picks one element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
}

class XoroshiroRandom implements Random {
  constructor(private readonly rng: JumpableRandomGenerator) {}

  float(): number {
    return uniformFloat64(this.rng);
  }

  between(min: number, max: number): number {
    return min + (max - min) * this.float();
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  chance(p: number): boolean {
    // Draw even when p is 0 so that switching one fault on does not shift the other draws.
    const u = this.float();
    return u < p;
  }

  normal(): number {
    const u1 = 1 - this.float(); // (0, 1]: log(0) is never taken
    const u2 = this.float();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(0, items.length - 1)];
    if (item === undefined) throw new Error("pick from an empty list");
    return item;
  }
}

/** Largest accepted seed; pure-rand seeds are 32-bit integers. */
export const MAX_SEED = 0xffff_ffff;

/**
 * Creates `count` independent random streams from one seed: stream i is the seeded generator
 * jumped i+1 times (stream 0 is not the raw seeded state, whose first draws are weakly mixed).
 */
export function createStreams(seed: number, count: number): Random[] {
  if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw new RangeError(`seed must be an integer in [0, ${MAX_SEED}]`);
  }
  const master = xoroshiro128plus(seed | 0);
  const streams: Random[] = [];
  for (let i = 0; i < count; i++) {
    master.jump();
    streams.push(new XoroshiroRandom(master.clone()));
  }
  return streams;
}

/** One stream, for callers that need a single one. */
export function createRandom(seed: number): Random {
  const [stream] = createStreams(seed, 1);
  if (!stream) throw new Error("unreachable");
  return stream;
}
