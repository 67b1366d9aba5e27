/**
 * Fix-to-screen latency: when this browser received a pushed position minus when the processor
 * handled it (`processedAt`). Two clocks take part, the browser's and the processor's: the
 * numbers are right only as far as those clocks agree (a browser 2 s behind shows 2 s less).
 */
export interface LatencyStats {
  p50: number;
  p99: number;
  /** Positions the percentiles are taken over. */
  count: number;
}

/** The nearest-rank percentile `p` (0–100) of ascending `sorted`. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

/**
 * The latencies of the last `windowMs` (30 s), at most the newest `capacity` (5,000) of them:
 * a ring buffer, so a fleet pushing thousands of positions a second costs constant memory and a
 * bounded sort each time the status bar asks.
 */
export class LatencyWindow {
  readonly #values: Float64Array;
  readonly #times: Float64Array;
  #next = 0;
  #size = 0;

  constructor(
    readonly windowMs = 30_000,
    readonly capacity = 5_000,
  ) {
    this.#values = new Float64Array(capacity);
    this.#times = new Float64Array(capacity);
  }

  add(latencyMs: number, at: number): void {
    this.#values[this.#next] = latencyMs;
    this.#times[this.#next] = at;
    this.#next = (this.#next + 1) % this.capacity;
    this.#size = Math.min(this.#size + 1, this.capacity);
  }

  /** p50 and p99 of the samples of the window ending at `now`; null without any. */
  stats(now: number): LatencyStats | null {
    const recent: number[] = [];
    for (let i = 0; i < this.#size; i++) {
      if (now - (this.#times[i] as number) <= this.windowMs) recent.push(this.#values[i] as number);
    }
    if (recent.length === 0) return null;
    const sorted = Float64Array.from(recent).sort();
    return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), count: sorted.length };
  }
}

/** "8 ms", "240 ms", "1.4 s", "12 s"; a negative latency (clocks disagree) keeps its sign. */
export function formatLatency(ms: number): string {
  const abs = Math.abs(ms);
  const sign = ms < 0 ? "−" : "";
  if (abs < 999.5) return `${sign}${Math.round(abs)} ms`;
  if (abs < 10_000) return `${sign}${(abs / 1_000).toFixed(1)} s`;
  return `${sign}${Math.round(abs / 1_000)} s`;
}
