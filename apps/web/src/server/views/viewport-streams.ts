import {
  type CellColumns,
  encodePositions,
  type FleetStreamBatch,
  inViewport,
  type TruckPosition,
  type Viewport,
} from "@fleetstream/contracts";

/**
 * Each browser's share of the live fleet: the trucks inside the area its map shows (and those it
 * follows), or counts per cell where that area holds too many trucks to draw one by one. Pure
 * bookkeeping over the web server's latest positions; the socket is a `StreamSink`.
 *
 * Per browser, pushes are coalesced: the trucks that changed since its last push wait as ids in
 * `pending`, and a push reads their latest positions. A browser that has not taken its previous
 * push yet (a slow link) is skipped: its pending ids stay (bounded by the trucks in its area),
 * and it gets their latest state once it drains — never a queue of stale batches.
 */

export interface StreamSink {
  /** False while the previous push is still on its way (the connection is backed up). */
  ready(): boolean;
  /** Calls `retry` once the connection has drained (after a push was held back). */
  onDrain(retry: () => void): void;
  send(event: "fleet:view:v2" | "fleet:changes:v2", batch: FleetStreamBatch): void;
}

export interface ViewportStreamOptions {
  /** An area holding at most this many trucks is sent truck by truck; more: counts per cell. */
  detailLimit?: number;
  /** From this zoom on, trucks are sent one by one however many there are. */
  detailZoom?: number;
  /** Cells are counted again at most this often. */
  cellsEveryMs?: number;
}

/** The latest positions the streams read (the web server's LatestPositions). */
export interface PositionSource {
  readonly size: number;
  get(truckId: string): TruckPosition | undefined;
  values(): Iterable<TruckPosition>;
}

interface Subscriber {
  id: string;
  sink: StreamSink;
  viewport: Viewport;
  follow: Set<string>;
  mode: "trucks" | "cells";
  /** Trucks the browser holds (inside its area or followed, as of the last push). */
  shown: Set<string>;
  /** Trucks changed since the last push that the browser must hear about. */
  pending: Set<string>;
  /** Cells to send with the next push (cells mode). */
  cells?: CellColumns;
  waitingForDrain: boolean;
}

/**
 * The cell grid for a zoom: cells of 360/2^(zoom+2) degrees. A 256 px tile spans 360/2^zoom
 * degrees, so a cell is 64 px on screen (up to 128 px between whole zooms).
 */
export function cellLevel(zoom: number): number {
  return Math.min(22, Math.max(0, Math.floor(zoom) + 2));
}

/** Trucks counted per cell of one level; each cell at its trucks' mean position. */
export function countCells(positions: Iterable<TruckPosition>, level: number) {
  const size = 360 / 2 ** level;
  const cells = new Map<string, { lat: number; lon: number; count: number }>();
  for (const p of positions) {
    const key = `${Math.floor(p.lon / size)}:${Math.floor(p.lat / size)}`;
    const cell = cells.get(key);
    if (cell) {
      cell.lat += p.lat;
      cell.lon += p.lon;
      cell.count += 1;
    } else cells.set(key, { lat: p.lat, lon: p.lon, count: 1 });
  }
  return [...cells.values()].map((c) => ({
    lat: c.lat / c.count,
    lon: c.lon / c.count,
    count: c.count,
  }));
}

export function createViewportStreams(source: PositionSource, options: ViewportStreamOptions = {}) {
  const detailLimit = options.detailLimit ?? 5_000;
  const detailZoom = options.detailZoom ?? 13;
  const cellsEveryMs = options.cellsEveryMs ?? 1_000;
  const subscribers = new Map<string, Subscriber>();
  let cellsCountedAt = Number.NEGATIVE_INFINITY;

  const wanted = (s: Subscriber, p: TruckPosition) =>
    s.follow.has(p.truckId) || (s.mode === "trucks" && inViewport(s.viewport, p.lat, p.lon));

  const cellsFor = (viewports: Subscriber[]) => {
    const byLevel = new Map<number, ReturnType<typeof countCells>>();
    for (const s of viewports) {
      const level = cellLevel(s.viewport.zoom);
      let cells = byLevel.get(level);
      if (!cells) {
        cells = countCells(source.values(), level);
        byLevel.set(level, cells);
      }
      const inside = cells.filter((c) => inViewport(s.viewport, c.lat, c.lon));
      s.cells = {
        lat: inside.map((c) => Math.round(c.lat * 1e5) / 1e5),
        lon: inside.map((c) => Math.round(c.lon * 1e5) / 1e5),
        count: inside.map((c) => c.count),
      };
    }
  };

  const positionsOf = (ids: Iterable<string>) => {
    const out: TruckPosition[] = [];
    for (const id of ids) {
      const p = source.get(id);
      if (p) out.push(p);
    }
    return out;
  };

  /** Sends what is pending, unless the connection is still busy with the previous push. */
  const deliver = (s: Subscriber) => {
    if (s.pending.size === 0 && !s.cells) return;
    if (!s.sink.ready()) {
      if (!s.waitingForDrain) {
        s.waitingForDrain = true;
        s.sink.onDrain(() => {
          // The browser may have sent a new area meanwhile: deliver to its current subscription.
          const current = subscribers.get(s.id);
          if (!current) return;
          current.waitingForDrain = false;
          deliver(current);
        });
      }
      return;
    }
    const batch: FleetStreamBatch = {
      positions: encodePositions(positionsOf(s.pending)),
      fleetSize: source.size,
    };
    if (s.cells) batch.cells = s.cells;
    s.pending.clear();
    s.cells = undefined;
    s.sink.send("fleet:changes:v2", batch);
  };

  return {
    get size(): number {
      return subscribers.size;
    },

    /** A browser's (new) area: answered at once with everything it should show there. */
    subscribe(id: string, sink: StreamSink, viewport: Viewport): void {
      // One pass: the trucks inside (which decide the mode), the followed ones, the extent.
      const inside: string[] = [];
      const followed: string[] = [];
      const follow = new Set(viewport.follow);
      const bounds = [180, 90, -180, -90] as [number, number, number, number];
      for (const p of source.values()) {
        if (inViewport(viewport, p.lat, p.lon)) inside.push(p.truckId);
        else if (follow.has(p.truckId)) followed.push(p.truckId);
        bounds[0] = Math.min(bounds[0], p.lon);
        bounds[1] = Math.min(bounds[1], p.lat);
        bounds[2] = Math.max(bounds[2], p.lon);
        bounds[3] = Math.max(bounds[3], p.lat);
      }
      const mode = inside.length <= detailLimit || viewport.zoom >= detailZoom ? "trucks" : "cells";
      const s: Subscriber = {
        id,
        sink,
        viewport,
        follow,
        mode,
        // In cells mode only the followed trucks are sent one by one.
        shown: new Set(
          mode === "trucks"
            ? [...inside, ...followed]
            : [...inside.filter((t) => follow.has(t)), ...followed],
        ),
        pending: new Set(),
        waitingForDrain: subscribers.get(id)?.waitingForDrain ?? false,
      };
      subscribers.set(id, s);
      const batch: FleetStreamBatch = {
        positions: encodePositions(positionsOf(s.shown)),
        fleetSize: source.size,
        fleetBounds: source.size > 0 ? bounds : null,
      };
      if (s.mode === "cells") {
        cellsFor([s]);
        batch.cells = s.cells ?? { lat: [], lon: [], count: [] };
        s.cells = undefined;
      }
      // A view replaces whatever the browser had: sent even when the link is busy.
      sink.send("fleet:view:v2", batch);
    },

    unsubscribe(id: string): void {
      subscribers.delete(id);
    },

    /** The positions that changed since the last call (LatestPositions.takeChanged). */
    push(changed: readonly TruckPosition[], now: number): void {
      if (subscribers.size === 0) return;
      for (const s of subscribers.values()) {
        for (const p of changed) {
          if (wanted(s, p)) {
            s.shown.add(p.truckId);
            s.pending.add(p.truckId);
          } else if (s.shown.delete(p.truckId)) {
            s.pending.add(p.truckId); // once more, outside: the browser sees it leave
          }
        }
      }
      if (changed.length > 0 && now - cellsCountedAt >= cellsEveryMs) {
        cellsCountedAt = now;
        const counted = [...subscribers.values()].filter((s) => s.mode === "cells");
        if (counted.length > 0) cellsFor(counted);
      }
      for (const s of subscribers.values()) deliver(s);
    },
  };
}

export type ViewportStreams = ReturnType<typeof createViewportStreams>;
