/**
 * Capped exponential backoff with jitter for retry `attempt` (1, 2, …): ~0.25 s, 0.5 s, 1 s, …
 * up to `capMs` (30 s), each scaled by a random 50–100% so that many clients retrying the same
 * outage do not all come back at once.
 */
export const backoffMs = (attempt: number, random = Math.random, capMs = 30_000): number =>
  Math.min(capMs, 250 * 2 ** Math.min(Math.max(attempt, 1) - 1, 16)) * (0.5 + random() / 2);
