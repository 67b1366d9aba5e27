// isNewerFix: the contract's one rule for a truck's latest fix, as in the processor.
import type { TruckPosition, ViewportSubscription } from "@fleetstream/contracts";
import {
  type CellColumns,
  decodePositions,
  type FleetStreamBatch,
  inViewport,
  isNewerFix,
} from "@fleetstream/contracts/browser";
import { type LatencyStats, LatencyWindow } from "./latency";

export type ConnectionState = "connecting" | "live" | "reconnecting";

/**
 * What the status bar shows; a new object whenever a field changes, but for position pushes at
 * most once a second unless the truck count changes: pushes may come 60 times a second (the
 * server sends a fix as soon as it arrives) and every summary listener (status bar, truck list,
 * the map's stale check) would run for each.
 */
export interface FleetSummary {
  connection: ConnectionState;
  /** Trucks the page holds: those in the map's area (and followed ones). */
  truckCount: number;
  /** Trucks in the whole fleet (the web server's count); null before the first answer. */
  fleetSize: number | null;
  /**
   * Browser clock (epoch ms) when the last snapshot or position batch arrived: exact when the
   * connection changes (the "as of" of the reconnect banner), else up to a second behind.
   */
  lastUpdateAt: number | null;
}

/** Pushes move the summary at most this often (ms) while the truck count stays. */
const SUMMARY_EVERY_MS = 1_000;

/** What the map needs to redraw: trucks to place or move, and trucks to drop. */
export interface FleetChange {
  kind: "snapshot" | "positions";
  upserted: TruckPosition[];
  removed: string[];
  /** Counts per cell for an area too dense to send truck by truck; null: none (trucks only). */
  cells?: CellColumns | null;
}

type Listener<T> = (value: T) => void;

export const INITIAL_SUMMARY: FleetSummary = {
  connection: "connecting",
  truckCount: 0,
  fleetSize: null,
  lastUpdateAt: null,
};

/**
 * The browser's copy of the fleet, fed by socket.io events. Framework-free so it can be unit
 * tested; React reads the summary through `useSyncExternalStore`, the map subscribes to changes.
 */
export class FleetClientStore {
  readonly #positions = new Map<string, TruckPosition>();
  readonly #changeListeners = new Set<Listener<FleetChange>>();
  readonly #summaryListeners = new Set<() => void>();
  #summary: FleetSummary = INITIAL_SUMMARY;
  #lastUpdateAt: number | null = null;
  readonly #latency = new LatencyWindow();
  /** Per truck: its latest fix's receipt here − processedAt (pushed fixes only, see latency.ts). */
  readonly #shownAfter = new Map<string, number>();
  #snapshots = 0;
  #version = 0;
  #viewport: ViewportSubscription | null = null;
  #cells: CellColumns | null = null;
  #fleetBounds: FleetStreamBatch["fleetBounds"] = null;

  /** Every known truck's latest position. */
  positions(): TruckPosition[] {
    return [...this.#positions.values()];
  }

  get(truckId: string): TruckPosition | undefined {
    return this.#positions.get(truckId);
  }

  /** Bumped on every change: lets React views re-read `positions()` when it moves. */
  get version(): number {
    return this.#version;
  }

  /** How many snapshots have arrived (a reconnect brings a new one). */
  get snapshotCount(): number {
    return this.#snapshots;
  }

  /** The fleet's fix-to-screen latency (p50, p99) over the last 30 s; null without pushes. */
  latency(now: number): LatencyStats | null {
    return this.#latency.stats(now);
  }

  /**
   * How long after the processor handled it this truck's latest fix reached this page; unknown
   * for a fix that came in a snapshot (it may have been handled long before the page opened).
   */
  shownAfter(truckId: string): number | undefined {
    return this.#shownAfter.get(truckId);
  }

  getSummary = (): FleetSummary => this.#summary;

  subscribeSummary = (listener: () => void): (() => void) => {
    this.#summaryListeners.add(listener);
    return () => this.#summaryListeners.delete(listener);
  };

  subscribeChanges(listener: Listener<FleetChange>): () => void {
    this.#changeListeners.add(listener);
    return () => this.#changeListeners.delete(listener);
  }

  /** Counts per cell of the area, when it is too dense for single trucks. */
  cells(): CellColumns | null {
    return this.#cells;
  }

  /** Where the whole fleet is ([west, south, east, north]) as of the last view; null: unknown. */
  fleetBounds(): FleetStreamBatch["fleetBounds"] {
    return this.#fleetBounds;
  }

  /** The area the map shows: trucks that leave it are dropped as their last move arrives. */
  setViewport(viewport: ViewportSubscription): void {
    this.#viewport = viewport;
  }

  /** The web server's answer to a viewport: everything to show there, nothing else. */
  applyView(batch: FleetStreamBatch, receivedAt: number): void {
    this.#cells = batch.cells ?? null;
    this.#fleetBounds = batch.fleetBounds ?? null;
    this.applySnapshot(decodePositions(batch.positions), receivedAt, batch);
  }

  /** What changed in the area since the last push. */
  applyChanges(batch: FleetStreamBatch, receivedAt: number): void {
    if (batch.cells) this.#cells = batch.cells;
    this.applyPositions(decodePositions(batch.positions), receivedAt, batch);
  }

  setConnection(connection: ConnectionState): void {
    if (connection !== this.#summary.connection)
      this.#setSummary({ connection, lastUpdateAt: this.#lastUpdateAt });
  }

  /** Replaces the fleet with the server's full view (sent on every (re)connect). */
  applySnapshot(
    positions: readonly TruckPosition[],
    receivedAt: number,
    batch?: FleetStreamBatch,
  ): void {
    const incoming = new Map(positions.map((p) => [p.truckId, p]));
    const removed = [...this.#positions.keys()].filter((id) => !incoming.has(id));
    for (const id of removed) {
      this.#positions.delete(id);
      this.#shownAfter.delete(id);
    }
    const upserted: TruckPosition[] = [];
    for (const position of incoming.values()) {
      const current = this.#positions.get(position.truckId);
      // After a reconnect the server may have restarted and rebuilt its view: take it as is,
      // unless it is older than what this page already shows.
      if (current && !isNewerFix(position, current)) continue;
      this.#positions.set(position.truckId, position);
      this.#shownAfter.delete(position.truckId);
      upserted.push(position);
    }
    // The whole-fleet stream (v1) has no extent: the snapshot is the whole fleet.
    if (!batch) this.#fleetBounds = boundsOf(this.#positions.values());
    this.#snapshots += 1;
    this.#emit({ kind: "snapshot", upserted, removed, cells: this.#cells });
    this.#lastUpdateAt = receivedAt;
    this.#setSummary({
      truckCount: this.#positions.size,
      fleetSize: batch?.fleetSize ?? this.#positions.size,
      lastUpdateAt: receivedAt,
    });
  }

  /**
   * Applies a batch of changed positions; older or repeated ones are ignored. A truck whose new
   * position is outside the map's area (and not followed) has left it: it is dropped.
   */
  applyPositions(
    positions: readonly TruckPosition[],
    receivedAt: number,
    batch?: FleetStreamBatch,
  ): void {
    const upserted: TruckPosition[] = [];
    const removed: string[] = [];
    const area = this.#viewport;
    for (const position of positions) {
      if (!isNewerFix(position, this.#positions.get(position.truckId))) continue;
      if (
        area &&
        !area.follow?.includes(position.truckId) &&
        !inViewport(area, position.lat, position.lon)
      ) {
        if (this.#positions.delete(position.truckId)) removed.push(position.truckId);
        this.#shownAfter.delete(position.truckId);
        continue;
      }
      this.#positions.set(position.truckId, position);
      const latency = receivedAt - position.processedAt;
      this.#shownAfter.set(position.truckId, latency);
      this.#latency.add(latency, receivedAt);
      upserted.push(position);
    }
    if (upserted.length > 0 || removed.length > 0 || batch?.cells) {
      this.#emit({
        kind: "positions",
        upserted,
        removed,
        ...(batch?.cells ? { cells: batch.cells } : {}),
      });
    }
    this.#lastUpdateAt = receivedAt;
    const fleetSize = batch ? batch.fleetSize : this.#positions.size;
    const { truckCount, lastUpdateAt } = this.#summary;
    if (
      truckCount !== this.#positions.size ||
      fleetSize !== this.#summary.fleetSize ||
      lastUpdateAt === null ||
      receivedAt - lastUpdateAt >= SUMMARY_EVERY_MS
    ) {
      this.#setSummary({ truckCount: this.#positions.size, fleetSize, lastUpdateAt: receivedAt });
    }
  }

  #emit(change: FleetChange): void {
    this.#version += 1;
    for (const listener of this.#changeListeners) listener(change);
  }

  #setSummary(patch: Partial<FleetSummary>): void {
    this.#summary = { ...this.#summary, ...patch };
    for (const listener of this.#summaryListeners) listener();
  }
}

function boundsOf(positions: Iterable<TruckPosition>): FleetStreamBatch["fleetBounds"] {
  let bounds: [number, number, number, number] | null = null;
  for (const { lat, lon } of positions) {
    if (!bounds) bounds = [lon, lat, lon, lat];
    else {
      bounds[0] = Math.min(bounds[0], lon);
      bounds[1] = Math.min(bounds[1], lat);
      bounds[2] = Math.max(bounds[2], lon);
      bounds[3] = Math.max(bounds[3], lat);
    }
  }
  return bounds;
}
