/**
 * Window and pane arithmetic, in event time (Unix epoch milliseconds, UTC: no time zones, no DST).
 *
 * Every window is half-open, [start, end), and aligned to the epoch: a window of size `s` starts
 * at a multiple of `s` (tumbling) or of the advance (hopping). Event times are >= 0 (the GPS
 * contract), and no window starts before 0: the first hopping windows are the ones starting at 0,
 * 1 advance, ... (a window [-4 min, 1 min) does not exist).
 *
 * Panes: the pane size is the greatest common divisor of every window size and advance, so every
 * window is a whole number of consecutive panes. A fix is added to one pane only; a hopping
 * window is assembled from its panes when it is emitted (no fix is copied into five windows).
 */

export interface WindowConfig {
  /** Per-truck tumbling window size (default 1 min). */
  tumblingMs: number;
  /** Per-truck hopping window size (default 5 min). */
  hopSizeMs: number;
  /** How far consecutive hopping windows are apart (default 1 min). */
  hopAdvanceMs: number;
  /** Fleet-wide and per-geofence tumbling window size (default 1 min). */
  scopeMs: number;
  /** Watermark = max event time seen in a partition minus this bound. */
  watermarkBoundMs: number;
  /** A window is final once the watermark passes its end plus this. */
  allowedLatenessMs: number;
  /** Speeding above this, unless a geofence containing the fix has its own limit. */
  speedingThresholdKmh: number;
}

export const DEFAULT_WINDOW_CONFIG: WindowConfig = {
  tumblingMs: 60_000,
  hopSizeMs: 300_000,
  hopAdvanceMs: 60_000,
  scopeMs: 60_000,
  watermarkBoundMs: 10_000,
  allowedLatenessMs: 60_000,
  speedingThresholdKmh: 90,
};

export type WindowKind = "tumbling" | "hopping";

/** A validated configuration plus what follows from it. */
export interface WindowPlan extends WindowConfig {
  /** gcd of all sizes and the advance: every window is a whole number of panes. */
  paneMs: number;
}

export class WindowConfigError extends Error {
  override name = "WindowConfigError";
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** Problems with a configuration, each one line naming the setting; empty when valid. */
export function windowConfigProblems(config: WindowConfig): string[] {
  const problems: string[] = [];
  const positive = ["tumblingMs", "hopSizeMs", "hopAdvanceMs", "scopeMs"] as const;
  for (const key of positive) {
    if (!Number.isSafeInteger(config[key]) || config[key] <= 0)
      problems.push(`${key} must be a positive whole number of milliseconds`);
  }
  for (const key of ["watermarkBoundMs", "allowedLatenessMs"] as const) {
    if (!Number.isSafeInteger(config[key]) || config[key] < 0)
      problems.push(`${key} must be a whole number of milliseconds >= 0`);
  }
  if (!(config.speedingThresholdKmh > 0)) problems.push("speedingThresholdKmh must be > 0");
  if (problems.length > 0) return problems;
  if (config.hopSizeMs % config.hopAdvanceMs !== 0)
    problems.push("hopSizeMs must be a multiple of hopAdvanceMs");
  if (config.hopSizeMs <= config.tumblingMs)
    problems.push("hopSizeMs must be larger than tumblingMs (rows are keyed by start and size)");
  if (config.scopeMs > config.hopSizeMs) problems.push("scopeMs must not exceed hopSizeMs");
  return problems;
}

export function planWindows(config: WindowConfig = DEFAULT_WINDOW_CONFIG): WindowPlan {
  const problems = windowConfigProblems(config);
  if (problems.length > 0) throw new WindowConfigError(`invalid windows: ${problems.join("; ")}`);
  const paneMs = gcd(gcd(config.tumblingMs, config.hopAdvanceMs), config.scopeMs);
  return { ...config, paneMs };
}

/**
 * Start of the aligned interval of `size` that contains `t` (t >= 0). Floor division, not `%`:
 * epoch milliseconds are not small integers, and a float modulo is slow.
 */
export const alignDown = (t: number, size: number): number => Math.floor(t / size) * size;

export const paneStartOf = (t: number, plan: WindowPlan): number => alignDown(t, plan.paneMs);

export interface WindowSpan {
  kind: WindowKind | "scope";
  start: number;
  end: number;
}

/** Start of the tumbling window containing t. */
export const tumblingStartOf = (t: number, plan: WindowPlan): number =>
  alignDown(t, plan.tumblingMs);

export const scopeStartOf = (t: number, plan: WindowPlan): number => alignDown(t, plan.scopeMs);

/** Starts of every hopping window containing t, latest first (none starts before 0). */
export function hoppingStartsOf(t: number, plan: WindowPlan): number[] {
  const starts: number[] = [];
  for (
    let s = alignDown(t, plan.hopAdvanceMs);
    s >= 0 && s > t - plan.hopSizeMs;
    s -= plan.hopAdvanceMs
  )
    starts.push(s);
  return starts;
}

/** Every window a fix at t belongs to: one tumbling, the hopping ones, one fleet/geofence window. */
export function windowsOf(t: number, plan: WindowPlan): WindowSpan[] {
  const tumbling = tumblingStartOf(t, plan);
  const scope = scopeStartOf(t, plan);
  return [
    { kind: "tumbling", start: tumbling, end: tumbling + plan.tumblingMs },
    ...hoppingStartsOf(t, plan).map(
      (start): WindowSpan => ({ kind: "hopping", start, end: start + plan.hopSizeMs }),
    ),
    { kind: "scope", start: scope, end: scope + plan.scopeMs },
  ];
}

/**
 * The earliest end among the windows containing t. A fix is late when that window is already
 * final: fixes are accepted or rejected whole, so every window agrees on the set of fixes.
 */
export function earliestEndOf(t: number, plan: WindowPlan): number {
  const tumblingEnd = tumblingStartOf(t, plan) + plan.tumblingMs;
  const scopeEnd = scopeStartOf(t, plan) + plan.scopeMs;
  // The hopping window containing t that ends first is the one with the smallest start > t - size
  // (and >= 0).
  const after = t - plan.hopSizeMs;
  const firstStart = after < 0 ? 0 : alignDown(after, plan.hopAdvanceMs) + plan.hopAdvanceMs;
  return Math.min(tumblingEnd, scopeEnd, firstStart + plan.hopSizeMs);
}

/** The latest end among the windows containing the pane starting at `paneStart`. */
export function lastEndOfPane(paneStart: number, plan: WindowPlan): number {
  return Math.max(
    tumblingStartOf(paneStart, plan) + plan.tumblingMs,
    scopeStartOf(paneStart, plan) + plan.scopeMs,
    alignDown(paneStart, plan.hopAdvanceMs) + plan.hopSizeMs,
  );
}

/** Smallest pane start whose pane is still needed after every window ending <= `finalThrough`. */
export function firstLivePaneStart(finalThrough: number, plan: WindowPlan): number {
  const span = Math.max(plan.tumblingMs, plan.scopeMs, plan.hopSizeMs);
  let p = Math.max(0, Math.floor((finalThrough - span) / plan.paneMs) * plan.paneMs);
  while (lastEndOfPane(p, plan) <= finalThrough) p += plan.paneMs;
  return p;
}

/**
 * The end of the last window that is final at watermark `w`: windows are final once
 * `w >= end + allowedLateness`, and every end is a multiple of the pane size.
 */
export function finalThroughAt(watermark: number, plan: WindowPlan): number {
  return Math.floor((watermark - plan.allowedLatenessMs) / plan.paneMs) * plan.paneMs;
}

/** True when a window ending at `end` is final at watermark `w`. */
export const isFinalAt = (end: number, watermark: number, plan: WindowPlan): boolean =>
  watermark >= end + plan.allowedLatenessMs;

/**
 * The first time after `after` at which something is due for a truck with a pane starting at
 * `paneStart`: the end of a tumbling or hopping window containing the pane, or the end of the
 * pane's life (lastEndOfPane). Infinity when nothing is left.
 */
export function nextDueAfter(paneStart: number, after: number, plan: WindowPlan): number {
  let best = Number.POSITIVE_INFINITY;
  const tumblingEnd = alignDown(paneStart, plan.tumblingMs) + plan.tumblingMs;
  if (tumblingEnd > after) best = tumblingEnd;
  // Hopping windows containing the pane end at the multiples of the advance in
  // (paneStart, alignDown(paneStart, advance) + size], and at or after `size` (starts >= 0).
  const lastHopEnd = alignDown(paneStart, plan.hopAdvanceMs) + plan.hopSizeMs;
  const from = Math.max(after, paneStart, plan.hopSizeMs - 1);
  const hopEnd = alignDown(from, plan.hopAdvanceMs) + plan.hopAdvanceMs;
  if (hopEnd <= lastHopEnd && hopEnd < best) best = hopEnd;
  const lastEnd = lastEndOfPane(paneStart, plan);
  if (lastEnd > after && lastEnd < best) best = lastEnd;
  return best;
}
