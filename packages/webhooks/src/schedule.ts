/**
 * Retry timing. A failed attempt is retried after the next delay of the schedule plus jitter
 * (a random 0–20 % more, so endpoints recovering from an outage are not hit by every retry at
 * once, and the schedule's total is a lower bound);
 * after the last one the delivery has failed. The default, like Svix's, retries 7 times over
 * about 27.5 hours: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
 */
export const DEFAULT_RETRY_SCHEDULE = "5s,5m,30m,2h,5h,10h,10h";

/** An endpoint failing continuously this long (no success in between) is disabled. */
export const DEFAULT_DISABLE_AFTER = "5d";

/** How long a rotated-out secret still signs. */
export const SECRET_ROTATION_OVERLAP_MS = 24 * 3_600_000;

export const RETRY_JITTER = 0.2;

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "250ms", "5s", "30m", "2h", "5d" → milliseconds; throws naming the bad text. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim());
  if (!match) throw new Error(`"${text.trim()}" is not a duration like 500ms, 5s, 30m, 2h or 5d`);
  return Math.round(Number(match[1]) * (UNITS[match[2] as string] ?? 1));
}

/** "5s,5m,30m" → [5000, 300000, 1800000]: the delay before each retry. */
export function parseSchedule(text: string): number[] {
  const delays = text.split(",").map(parseDuration);
  if (delays.length === 0 || delays.length > 50) throw new Error("list 1 to 50 retry delays");
  return delays;
}

/**
 * When the next attempt is due after attempt number `step` (0 = the first attempt) failed, or
 * undefined when the schedule is used up. `random` is in [0, 1).
 */
export function nextRetryAt(
  failedAt: number,
  step: number,
  schedule: readonly number[],
  random: () => number,
): number | undefined {
  const delay = schedule[step];
  if (delay === undefined) return undefined;
  return failedAt + Math.round(delay * (1 + RETRY_JITTER * random()));
}
