import type { FleetWindowPoint } from "@fleetstream/contracts";

export interface FleetKpis {
  /** The window the numbers are from: the newest final one, else the newest (still filling). */
  window: FleetWindowPoint;
  final: boolean;
}

/** Which fleet window the header shows; undefined before the first one. */
export function headlineWindow(windows: readonly FleetWindowPoint[]): FleetKpis | undefined {
  for (let i = windows.length - 1; i >= 0; i--) {
    const w = windows[i] as FleetWindowPoint;
    if (w.final) return { window: w, final: true };
  }
  const newest = windows[windows.length - 1];
  return newest ? { window: newest, final: false } : undefined;
}
