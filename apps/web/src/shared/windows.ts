// Window merge rules shared by the server (topic view + table) and the browser (REST + socket).

export interface WindowLike {
  windowStart: number;
  final: boolean;
  fixCount: number;
}

/**
 * Whether `candidate` should replace `current` for the same window (scope, start, size). Records
 * are at least once and a window is sent on every change: a final value is never replaced by a
 * non-final one, and an earlier value never replaces a later one (a window only gains fixes).
 */
export function isNewerWindow(candidate: WindowLike, current: WindowLike | undefined): boolean {
  if (!current) return true;
  if (current.final && !candidate.final) return false;
  if (candidate.final && !current.final) return true;
  return candidate.fixCount >= current.fixCount;
}

/** Several sources of the same windows (by start), the newer of each; oldest first. */
export function mergeWindows<W extends WindowLike>(...lists: readonly (readonly W[])[]): W[] {
  const byStart = new Map<number, W>();
  for (const list of lists) {
    for (const window of list) {
      if (isNewerWindow(window, byStart.get(window.windowStart))) {
        byStart.set(window.windowStart, window);
      }
    }
  }
  return [...byStart.values()].sort((a, b) => a.windowStart - b.windowStart);
}

/**
 * A series after new windows arrived: merged, only the `keepMs` before the newest start kept. If
 * the incoming windows are all older than that, the source's event time moved back (a restarted
 * simulator or device clock): the series starts over from them instead of ignoring them.
 */
export function appendWindows<W extends WindowLike>(
  current: readonly W[],
  incoming: readonly W[],
  keepMs: number,
): W[] {
  const newest = current[current.length - 1]?.windowStart ?? Number.NEGATIVE_INFINITY;
  const incomingNewest = Math.max(...incoming.map((w) => w.windowStart));
  const merged =
    incoming.length > 0 && incomingNewest <= newest - keepMs
      ? mergeWindows(incoming)
      : mergeWindows(current, incoming);
  const last = merged[merged.length - 1]?.windowStart ?? 0;
  return merged.filter((w) => w.windowStart > last - keepMs);
}
