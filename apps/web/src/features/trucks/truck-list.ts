import type { TruckPosition } from "@fleetstream/contracts";
import { lastHeardAt, type TruckStatus, truckStatus } from "../../shared/truck-status";
import type { TruckFilter } from "../shell/view-state";

export interface TruckRow {
  truckId: string;
  status: TruckStatus;
  speedKmh: number;
  eventTime: number;
  lastHeardAt: number;
}

const byId = (a: TruckRow, b: TruckRow) =>
  a.truckId < b.truckId ? -1 : a.truckId > b.truckId ? 1 : 0;

/**
 * The truck list: search by id (case-insensitive substring), status, then sorted by id, speed
 * (fastest first) or last fix age (longest silent first); ties by id. Pure, so 50,000 rows are
 * filtered in one pass and only the visible rows are rendered.
 */
export function truckRows(
  positions: Iterable<TruckPosition>,
  filter: TruckFilter,
  now: number,
  offlineAfterMs: number,
): TruckRow[] {
  const needle = filter.q.trim().toLowerCase();
  const rows: TruckRow[] = [];
  for (const p of positions) {
    if (needle && !p.truckId.toLowerCase().includes(needle)) continue;
    const status = truckStatus(p, now, offlineAfterMs);
    if (filter.status && status !== filter.status) continue;
    rows.push({
      truckId: p.truckId,
      status,
      speedKmh: p.speedKmh,
      eventTime: p.eventTime,
      lastHeardAt: lastHeardAt(p),
    });
  }
  if (filter.sort === "speed") rows.sort((a, b) => b.speedKmh - a.speedKmh || byId(a, b));
  else if (filter.sort === "age") rows.sort((a, b) => a.lastHeardAt - b.lastHeardAt || byId(a, b));
  else rows.sort(byId);
  return rows;
}

/** How many trucks are in each status (before the status filter). */
export function statusCounts(
  positions: Iterable<TruckPosition>,
  now: number,
  offlineAfterMs: number,
): Record<TruckStatus, number> {
  const counts: Record<TruckStatus, number> = { moving: 0, stopped: 0, offline: 0 };
  for (const p of positions) counts[truckStatus(p, now, offlineAfterMs)] += 1;
  return counts;
}
