import { describe, expect, it } from "vitest";
import { createFlushPacer, flushDelay, gapAfter, type PacerClock } from "./flush-pacer";

const limits = { settleMs: 5, minGapMs: 16, maxGapMs: 300, costShare: 10 };

/**
 * A clock whose time moves only when told; due timers run as it passes them. CPU time moves
 * only with `work` (time spent pushing), not with `advance` (waiting, or paused by the OS).
 */
function manualClock(): PacerClock & {
  advance(ms: number): void;
  work(ms: number): void;
  readonly timers: number;
} {
  let now = 0;
  let cpu = 0;
  let nextId = 0;
  const timers = new Map<number, { at: number; run: () => void }>();
  return {
    now: () => now,
    cpuMs: () => cpu,
    setTimeout(run, ms) {
      nextId += 1;
      timers.set(nextId, { at: now + ms, run });
      return nextId;
    },
    clearTimeout: (handle) => void timers.delete(handle as number),
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = [...timers].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at);
        const first = due[0];
        if (!first) break;
        timers.delete(first[0]);
        now = Math.max(now, first[1].at);
        first[1].run();
      }
      now = Math.max(now, end); // a push may have moved the clock past the end
    },
    work(ms) {
      cpu += ms;
      now += ms;
    },
    get timers() {
      return timers.size;
    },
  };
}

/**
 * A pacer whose every push uses `cost` ms of CPU, and is paused `paused` ms more (the OS running
 * other processes); returns the push times.
 */
function paced(
  cost: (push: number) => number = () => 0,
  paused: (push: number) => number = () => 0,
) {
  const clock = manualClock();
  const pushes: number[] = [];
  const pacer = createFlushPacer({
    ...limits,
    clock,
    flush: () => {
      pushes.push(clock.now());
      clock.work(cost(pushes.length));
      clock.advance(paused(pushes.length));
    },
  });
  return { clock, pushes, pacer };
}

describe("gapAfter and flushDelay", () => {
  it("spaces pushes by ten times their cost, within 16..300 ms", () => {
    expect(gapAfter(0.2, limits)).toBe(16);
    expect(gapAfter(5, limits)).toBe(50);
    expect(gapAfter(80, limits)).toBe(300);
  });

  it("waits the settle time when the last push is long past, else the rest of the gap", () => {
    expect(flushDelay(1_000, 0, 16, 5)).toBe(5);
    expect(flushDelay(100, 90, 50, 5)).toBe(40);
  });
});

describe("the flush pacer", () => {
  it("pushes a change 5 ms after it arrives when idle, not on a fixed tick", () => {
    const { clock, pushes, pacer } = paced();
    pacer.start();
    clock.advance(1_000);
    expect(pushes).toEqual([5]); // what gathered before start
    clock.advance(37);
    pacer.changed();
    pacer.changed(); // the same burst: one push
    clock.advance(100);
    expect(pushes).toEqual([5, 1_042]);
    expect(clock.timers).toBe(0); // idle: nothing scheduled
  });

  it("coalesces a steady stream into pushes a gap apart", () => {
    const { clock, pushes, pacer } = paced();
    pacer.start();
    for (let t = 0; t < 1_000; t++) {
      pacer.changed();
      clock.advance(1);
    }
    // 1,000 changes over a second: one push per 16 ms gap, not one per change.
    expect(pushes.length).toBeGreaterThanOrEqual(55);
    expect(pushes.length).toBeLessThanOrEqual(65);
    for (let i = 1; i < pushes.length; i++) {
      expect((pushes[i] as number) - (pushes[i - 1] as number)).toBeGreaterThanOrEqual(16);
    }
  });

  it("spaces pushes further as they cost more, up to the maximum window", () => {
    const { clock, pushes, pacer } = paced((n) => (n === 1 ? 8 : 100));
    pacer.start();
    clock.advance(5); // the first push takes 8 ms (ends at 13): the next goes 80 ms after
    expect(pacer.gapMs).toBe(80);
    pacer.changed();
    clock.advance(80); // pushed at 93, taking 100 ms: the gap is the 300 ms maximum
    expect(pacer.gapMs).toBe(300);
    pacer.changed();
    clock.advance(299);
    expect(pushes).toEqual([5, 93]);
    clock.advance(1);
    expect(pushes).toEqual([5, 93, 493]);
  });

  it("counts a push's CPU time as its cost, not the time the OS paused it", () => {
    // Each push uses 1 ms of CPU but ends 60 ms after it began (a busy machine).
    const { clock, pushes, pacer } = paced(
      () => 1,
      () => 59,
    );
    pacer.start();
    clock.advance(5); // pushed at 5, ends at 65: the gap is 16 ms, not 600
    expect(pacer.gapMs).toBe(16);
    pacer.changed();
    clock.advance(100);
    expect(pushes).toEqual([5, 81]);
  });

  it("pushes nothing before start or after stop, and leaves no timer behind", () => {
    const { clock, pushes, pacer } = paced();
    pacer.changed();
    clock.advance(100);
    expect(pushes).toEqual([]);
    pacer.start();
    pacer.changed();
    pacer.stop();
    expect(clock.timers).toBe(0);
    pacer.changed();
    clock.advance(1_000);
    expect(pushes).toEqual([]);
  });
});
