// When to push coalesced live changes to browsers ("settle, then space by cost").
//
//  - Idle, a change is pushed `settleMs` (5 ms) after it arrives: the other batches of the same
//    Kafka fetch (other partitions, other feeds) join that push, and a fix reaches the map tens of
//    milliseconds after the processor published it instead of waiting for a fixed tick.
//  - Two pushes are at least `gap` apart, gap = `costShare` (10) × the last push's cost, at
//    least `minGapMs` (16 ms, one frame) and at most `maxGapMs` (the web server's
//    `flushIntervalMs`, 300 ms). Under load (many or big pushes, many browsers) changes therefore
//    coalesce into fewer, larger pushes and pushing takes at most about 1/costShare of the event
//    loop; no change waits longer than `maxGapMs` + `settleMs`.
//  - A push's cost is the CPU time it used, not its wall time: on a busy machine the OS can
//    pause the process in the middle of a push, and counting that pause as cost stretched the
//    gap to 100–300 ms at 2,000 fixes/s while pushes used about a millisecond (latency bench).
//
// Nothing runs while nothing changes: one timer is pending at most, only after a change.

export interface PacerClock {
  now(): number;
  /** CPU time this process has used, ms (a push's cost). */
  cpuMs(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface PacingLimits {
  /** Wait after the first change, so the rest of its burst goes in the same push. */
  settleMs: number;
  /** Shortest gap between two pushes. */
  minGapMs: number;
  /** Longest gap between two pushes: the most a change waits under load (plus `settleMs`). */
  maxGapMs: number;
  /** The gap is at least this many times the last push's CPU time. */
  costShare: number;
}

export const DEFAULT_PACING: Omit<PacingLimits, "maxGapMs"> = {
  settleMs: 5,
  minGapMs: 16,
  costShare: 10,
};

/** The gap after a push that cost `costMs`: its cost times the share, within [min, max]. */
export function gapAfter(costMs: number, limits: PacingLimits): number {
  return Math.min(limits.maxGapMs, Math.max(limits.minGapMs, costMs * limits.costShare));
}

/** How long to wait, at `now`, before pushing a change (the previous push ended at `lastEnd`). */
export function flushDelay(now: number, lastEnd: number, gapMs: number, settleMs: number): number {
  return Math.max(settleMs, lastEnd + gapMs - now);
}

export interface FlushPacer {
  /** Something is waiting to be pushed: push it soon. Ignored before `start` and after `stop`. */
  changed(): void;
  /** Starts pacing and pushes what gathered meanwhile. */
  start(): void;
  stop(): void;
  /** The gap now in force, ms. */
  readonly gapMs: number;
}

const systemClock: PacerClock = {
  now: () => performance.now(),
  cpuMs: () => {
    const used = process.cpuUsage();
    return (used.user + used.system) / 1000;
  },
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export function createFlushPacer(
  options: Partial<PacingLimits> & {
    maxGapMs: number;
    /** Pushes everything pending (its duration is measured here). */
    flush: () => void;
    clock?: PacerClock;
  },
): FlushPacer {
  const limits: PacingLimits = { ...DEFAULT_PACING, ...options };
  const clock = options.clock ?? systemClock;
  let running = false;
  let pending: unknown;
  let lastEnd = Number.NEGATIVE_INFINITY;
  let gap = limits.minGapMs;

  const push = () => {
    pending = undefined;
    const began = clock.now();
    const cpuBefore = clock.cpuMs();
    try {
      options.flush();
    } finally {
      lastEnd = clock.now();
      // The process's CPU includes its other threads (GC helpers): never more than the wall time.
      gap = gapAfter(Math.min(lastEnd - began, clock.cpuMs() - cpuBefore), limits);
    }
  };

  const pacer: FlushPacer = {
    get gapMs() {
      return gap;
    },
    changed() {
      if (!running || pending !== undefined) return;
      pending = clock.setTimeout(push, flushDelay(clock.now(), lastEnd, gap, limits.settleMs));
    },
    start() {
      running = true;
      pacer.changed();
    },
    stop() {
      running = false;
      if (pending !== undefined) clock.clearTimeout(pending);
      pending = undefined;
    },
  };
  return pacer;
}
