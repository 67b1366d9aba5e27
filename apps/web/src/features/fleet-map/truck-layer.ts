import type { CellColumns, TruckPosition } from "@fleetstream/contracts";

/** What FleetMap asks of the live trucks' layer (canvas by default, DOM markers with ?trucks=dom). */
export interface TruckLayer {
  readonly size: number;
  position(truckId: string): TruckPosition | undefined;
  /** Adds new trucks and moves known ones; `animate: false` jumps (e.g. on a snapshot). */
  upsert(positions: readonly TruckPosition[], options?: { animate?: boolean }): void;
  remove(truckIds: readonly string[]): void;
  /** Marks trucks stale (greyed) or fresh; `isStale` is asked for every truck. */
  refreshStale(isStale: (position: TruckPosition) => boolean): void;
  select(truckId: string | null): void;
  setVisible(visible: boolean): void;
  /**
   * Counts per map cell, drawn like clusters, for an area the web server sends as counts (too
   * many trucks to send one by one); null: none.
   */
  setCells(cells: CellColumns | null): void;
  destroy(): void;
}

export interface TruckLayerOptions {
  /** How long a truck takes to glide to its new position, ms (about one server flush). */
  glideMs?: number;
  /** A truck was clicked (or Enter pressed on it). */
  onSelect?(truckId: string): void;
}
