import type { TruckPosition } from "./gps-fix";

// The live map's wire format (socket.io, fleet channel v2) without its zod schemas: the browser
// imports these at runtime through "@fleetstream/contracts/browser" (see browser.ts).

/** Whether a point is inside the viewport's bounds (edges included). */
export function inViewport(
  v: { west: number; south: number; east: number; north: number },
  lat: number,
  lon: number,
): boolean {
  return lat >= v.south && lat <= v.north && lon >= v.west && lon <= v.east;
}

/**
 * Positions as columns, index i of each array being one truck. Times are milliseconds after
 * `base` (the earliest time in the batch) to keep the numbers short; lat/lon are rounded to
 * 1e-6 degrees (~0.1 m), speed and heading to 0.1.
 */
export interface PositionColumns {
  base: number;
  truckId: string[];
  seq: number[];
  lat: number[];
  lon: number[];
  speedKmh: number[];
  headingDeg: number[];
  eventTime: number[];
  processedAt: number[];
}

/** How many trucks a cell of the map holds, drawn at the cell's trucks' mean position. */
export interface CellColumns {
  lat: number[];
  lon: number[];
  count: number[];
}

/**
 * The answer to a viewport (`fleet:view:v2`) and each later push (`fleet:changes:v2`). In a view,
 * `positions` is every truck the browser should show (anything else it holds is gone); in a
 * change, the trucks that moved since the last push (a truck that left the area is sent once,
 * outside it). `cells` is present when the area is shown as counts, replacing earlier cells.
 */
export interface FleetStreamBatch {
  positions: PositionColumns;
  cells?: CellColumns;
  /** Trucks the web server knows in the whole fleet. */
  fleetSize: number;
  /** In a view: where the whole fleet is ([west, south, east, north]), null when empty. */
  fleetBounds?: [number, number, number, number] | null;
}

const round = (value: number, decimals: number) => {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
};

export function encodePositions(positions: readonly TruckPosition[]): PositionColumns {
  let base = Number.POSITIVE_INFINITY;
  for (const p of positions) base = Math.min(base, p.eventTime, p.processedAt);
  if (!Number.isFinite(base)) base = 0;
  const columns: PositionColumns = {
    base,
    truckId: [],
    seq: [],
    lat: [],
    lon: [],
    speedKmh: [],
    headingDeg: [],
    eventTime: [],
    processedAt: [],
  };
  for (const p of positions) {
    columns.truckId.push(p.truckId);
    columns.seq.push(p.seq);
    columns.lat.push(round(p.lat, 6));
    columns.lon.push(round(p.lon, 6));
    columns.speedKmh.push(round(p.speedKmh, 1));
    columns.headingDeg.push(round(p.headingDeg, 1));
    columns.eventTime.push(p.eventTime - base);
    columns.processedAt.push(p.processedAt - base);
  }
  return columns;
}

export function decodePositions(columns: PositionColumns): TruckPosition[] {
  const { base } = columns;
  return columns.truckId.map((truckId, i) => ({
    truckId,
    seq: columns.seq[i] as number,
    lat: columns.lat[i] as number,
    lon: columns.lon[i] as number,
    speedKmh: columns.speedKmh[i] as number,
    headingDeg: columns.headingDeg[i] as number,
    eventTime: base + (columns.eventTime[i] as number),
    processedAt: base + (columns.processedAt[i] as number),
  }));
}
