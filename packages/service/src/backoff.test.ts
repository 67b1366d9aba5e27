import { describe, expect, it } from "vitest";
import { backoffMs } from "./backoff";

describe("backoffMs", () => {
  it("doubles from a quarter second up to the cap, with 50–100% jitter", () => {
    const longest = (attempt: number) => backoffMs(attempt, () => 1);
    expect([1, 2, 3, 4].map(longest)).toEqual([250, 500, 1_000, 2_000]);
    expect(longest(8)).toBe(30_000);
    expect(longest(1_000)).toBe(30_000);
    expect(backoffMs(3, () => 0)).toBe(500);
    expect(backoffMs(50, () => 1, 5_000)).toBe(5_000);
  });
});
