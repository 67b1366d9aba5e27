import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createRandom, createStreams, MAX_SEED } from "./random";

describe("seeded randomness", () => {
  it("repeats the same draws for the same seed", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_SEED }), (seed) => {
        const a = createRandom(seed);
        const b = createRandom(seed);
        const draws = (r: typeof a) => [r.float(), r.normal(), r.int(1, 6), r.between(5, 7)];
        expect(draws(a)).toEqual(draws(b));
      }),
    );
  });

  it("gives different sequences for neighbouring seeds and streams", () => {
    expect(createRandom(1).float()).not.toBe(createRandom(2).float());
    const [s0, s1] = createStreams(9, 2);
    expect(s0?.float()).not.toBe(s1?.float());
  });

  it("keeps a stream independent of how many streams were made", () => {
    const few = createStreams(5, 3)[2];
    const many = createStreams(5, 50)[2];
    expect([few?.float(), few?.float()]).toEqual([many?.float(), many?.float()]);
  });

  it("stays inside the requested ranges", () => {
    const r = createRandom(123);
    for (let i = 0; i < 10_000; i++) {
      const f = r.float();
      expect(f).toBeGreaterThanOrEqual(0);
      expect(f).toBeLessThan(1);
      const n = r.int(-2, 2);
      expect(Number.isInteger(n) && n >= -2 && n <= 2).toBe(true);
    }
  });

  it("draws normals with mean ~0 and sd ~1", () => {
    const r = createRandom(7);
    const xs = Array.from({ length: 20_000 }, () => r.normal());
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(sd - 1)).toBeLessThan(0.03);
  });

  it("rejects seeds outside 32 bits", () => {
    expect(() => createStreams(-1, 1)).toThrow(RangeError);
    expect(() => createStreams(MAX_SEED + 1, 1)).toThrow(RangeError);
    expect(() => createStreams(1.5, 1)).toThrow(RangeError);
  });
});
