// When to push coalesced changes to browsers. Idle, a change goes out at once (within `minGapMs`
// of the previous push), so a fix reaches the map tens of milliseconds after the processor
// publishes it; under load the gap grows with what a push costs, so pushing never takes more than
// about 1/`costShare` of the server's time, and at most `maxGapMs` passes between two pushes.

export interface FlushPacerOptions {
  /** Pushes everything pending; returns nothing (its duration is measured here). */
  flush: () => void;
  /** Shortest gap between two pushes (16 ms: one frame). */
  minGapMs?: number;
  /** Longest gap, also the period of the safety timer that pushes anything left over (300 ms). */
  maxGapMs?: number;
  /** The gap is at least this many times the last push's duration (10: pushing ≤ ~10%). */
  costShare?: number;
  now?: () => number;
}

/** The gap after a push that took `flushMs`: its cost times the share, within [min, max]. */
export function gapAfter(
  flushMs: number,
  options: Required<Pick<FlushPacerOptions, "minGapMs" | "maxGapMs" | "costShare">>,
): number {
  return Math.min(options.maxGapMs, Math.max(options.minGapMs, flushMs * options.costShare));
}

export interface FlushPacer {
  /** Something changed: push it soon (at once when the last push is long enough ago). */
  changed(): void;
  start(): void;
  stop(): void;
  /** The gap now in force, ms (for metrics and tests). */
  readonly gapMs: number;
}

export function createFlushPacer(options: FlushPacerOptions): FlushPacer {
  const limits = {
    minGapMs: options.minGapMs ?? 16,
    maxGapMs: options.maxGapMs ?? 300,
    costShare: options.costShare ?? 10,
  };
  const now = options.now ?? (() => performance.now());
  let gap = limits.minGapMs;
  let lastAt = Number.NEGATIVE_INFINITY;
  let soon: NodeJS.Timeout | undefined;
  let safety: NodeJS.Timeout | undefined;

  const push = () => {
    soon = undefined;
    const began = now();
    options.flush();
    const ended = now();
    lastAt = ended;
    gap = gapAfter(ended - began, limits);
  };

  return {
    get gapMs() {
      return gap;
    },
    changed() {
      if (soon || !safety) return; // already due, or stopped
      const wait = Math.max(0, lastAt + gap - now());
      soon = setTimeout(push, wait);
    },
    start() {
      safety = setInterval(() => {
        if (!soon) push();
      }, limits.maxGapMs);
      safety.unref();
    },
    stop() {
      if (soon) clearTimeout(soon);
      if (safety) clearInterval(safety);
      soon = undefined;
      safety = undefined;
    },
  };
}
