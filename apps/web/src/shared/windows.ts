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
