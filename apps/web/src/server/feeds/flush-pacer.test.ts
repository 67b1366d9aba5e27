import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createFlushPacer, gapAfter } from "./flush-pacer";

const limits = { minGapMs: 16, maxGapMs: 300, costShare: 10 };

describe("gapAfter", () => {
  it("is the minimum when pushing is cheap, grows with its cost, and is capped", () => {
    expect(gapAfter(0.2, limits)).toBe(16);
    expect(gapAfter(5, limits)).toBe(50);
    expect(gapAfter(80, limits)).toBe(300);
  });
});

describe("the flush pacer", () => {
  let clock = 0;
  beforeEach(() => {
    vi.useFakeTimers();
    clock = 0;
  });
  afterEach(() => vi.useRealTimers());

  const pacer = (cost: number, pushes: number[]) =>
    createFlushPacer({
      ...limits,
      now: () => clock,
      flush: () => {
        pushes.push(Date.now());
        clock += cost;
      },
    });

  it("pushes a change at once when idle, not on the next 300 ms tick", () => {
    const pushes: number[] = [];
    const p = createFlushPacer({
      ...limits,
      now: () => Date.now(),
      flush: () => pushes.push(Date.now()),
    });
    p.start();
    vi.advanceTimersByTime(1_000); // the safety timer pushes (nothing) every 300 ms
    pushes.length = 0;
    const changedAt = Date.now();
    vi.advanceTimersByTime(40); // idle since the last tick: due at once
    p.changed();
    vi.advanceTimersByTime(0);
    expect(pushes).toEqual([changedAt + 40]);
    p.stop();
  });

  it("coalesces a burst of changes into pushes at least a gap apart", () => {
    const pushes: number[] = [];
    const p = createFlushPacer({
      ...limits,
      now: () => Date.now(),
      flush: () => pushes.push(Date.now()),
    });
    p.start();
    for (let t = 0; t < 100; t++) {
      p.changed();
      vi.advanceTimersByTime(1);
    }
    expect(pushes.length).toBeGreaterThanOrEqual(5);
    expect(pushes.length).toBeLessThanOrEqual(8); // ~100 ms / 16 ms, not 100
    for (let i = 1; i < pushes.length; i++) {
      expect((pushes[i] as number) - (pushes[i - 1] as number)).toBeGreaterThanOrEqual(16);
    }
    p.stop();
  });

  it("widens the gap when a push is expensive", () => {
    const pushes: number[] = [];
    const p = pacer(20, pushes); // each push costs 20 ms: the gap becomes 200 ms
    p.start();
    p.changed();
    vi.advanceTimersByTime(0);
    expect(p.gapMs).toBe(200);
  });

  it("pushes nothing after stop", () => {
    const pushes: number[] = [];
    const p = createFlushPacer({ ...limits, now: () => Date.now(), flush: () => pushes.push(1) });
    p.start();
    p.stop();
    p.changed();
    vi.advanceTimersByTime(1_000);
    expect(pushes).toEqual([]);
  });
});
