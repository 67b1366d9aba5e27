import { greatCircleM } from "@fleetstream/geofence/sphere";
import type { PaneState } from "./types";

/**
 * Panes: the fixes of one truck in one pane (sorted by event time, seq) with running aggregates,
 * and a truck's set of live panes. Aggregates live in arrays of doubles, FIELDS per pane: V8
 * stores a double held in an object field as a separate boxed number, which for a million panes
 * is millions of extra heap objects for the garbage collector; elements of a double array are
 * stored unboxed.
 */
export const F_INDEX = 0;
export const F_N = 1;
export const F_SUM = 2;
export const F_MAX = 3;
export const F_SPD = 4;
export const F_DIST = 5;
export const F_FIRST_LAT = 6;
export const F_FIRST_LON = 7;
export const F_LAST_LAT = 8;
export const F_LAST_LON = 9;
export const FIELDS = 10;
/** F_INDEX of a free slot (not an integer: never a pane index; keeps the array all doubles). */
const EMPTY = -1.5;

/**
 * Where a fix (t, seq) goes in a flat [t, seq, lat, lon, …] list kept sorted by (t, seq):
 * searched from the end, since fixes mostly arrive in order.
 */
export function insertionIndex(fx: readonly number[], t: number, seq: number): number {
  let pos = fx.length;
  while (pos > 0) {
    const pt = fx[pos - 4] as number;
    if (pt < t || (pt === t && (fx[pos - 3] as number) < seq)) break;
    pos -= 4;
  }
  return pos;
}

/** Left-to-right sum of distances along flattened fixes (eventTime, seq, lat, lon). */
export function pathLength(fx: readonly number[]): number {
  let dist = 0;
  for (let i = 4; i < fx.length; i += 4)
    dist += greatCircleM(
      fx[i - 2] as number,
      fx[i - 1] as number,
      fx[i + 2] as number,
      fx[i + 3] as number,
    );
  return dist;
}

/**
 * The fixes of one truck in one pane, sorted by (eventTime, seq), with running aggregates kept
 * at a[off .. off + FIELDS) (the truck's PaneSet block, or an array of its own).
 */
export class Pane {
  /** Flattened fixes: eventTime, seq, lat, lon, ... */
  readonly fx: number[] = [];
  /** Per geofence id: [fix count, speeding fix count]. */
  geo: Map<string, [number, number]> | undefined;

  constructor(
    /** Pane start / paneMs (a small integer, unlike epoch ms). */
    public index: number,
    readonly a: number[],
    readonly off: number,
  ) {
    this.clear(index);
  }

  /** Empties the pane and gives it another index (reuse of an expired pane object). */
  clear(index: number): void {
    this.index = index;
    this.fx.length = 0;
    this.geo = undefined;
    const a = this.a;
    const o = this.off;
    a[o + F_INDEX] = index;
    for (let f = F_N; f < FIELDS; f++) a[o + f] = 0;
  }

  get n(): number {
    return this.a[this.off + F_N] as number;
  }
  get spd(): number {
    return this.a[this.off + F_SPD] as number;
  }

  hasSeq(seq: number): boolean {
    const fx = this.fx;
    for (let i = 1; i < fx.length; i += 4) if (fx[i] === seq) return true;
    return false;
  }

  add(t: number, seq: number, lat: number, lon: number, speed: number, speeding: boolean): void {
    const fx = this.fx;
    const a = this.a;
    const o = this.off;
    const pos = insertionIndex(fx, t, seq);
    if (pos === fx.length) {
      // Appending continues the left-to-right sum: same result as recomputing it.
      if (pos > 0)
        a[o + F_DIST] =
          (a[o + F_DIST] as number) +
          greatCircleM(fx[pos - 2] as number, fx[pos - 1] as number, lat, lon);
      fx.push(t, seq, lat, lon);
    } else {
      fx.splice(pos, 0, t, seq, lat, lon);
      a[o + F_DIST] = pathLength(fx);
    }
    a[o + F_N] = (a[o + F_N] as number) + 1;
    a[o + F_SUM] = (a[o + F_SUM] as number) + speed;
    if (speed > (a[o + F_MAX] as number)) a[o + F_MAX] = speed;
    if (speeding) a[o + F_SPD] = (a[o + F_SPD] as number) + 1;
    this.ends();
  }

  private ends(): void {
    const fx = this.fx;
    const a = this.a;
    const o = this.off;
    a[o + F_FIRST_LAT] = fx[2] as number;
    a[o + F_FIRST_LON] = fx[3] as number;
    a[o + F_LAST_LAT] = fx[fx.length - 2] as number;
    a[o + F_LAST_LON] = fx[fx.length - 1] as number;
  }

  addZone(id: string, speeding: boolean): void {
    this.geo ??= new Map();
    const counts = this.geo.get(id);
    if (counts) {
      counts[0]++;
      if (speeding) counts[1]++;
    } else this.geo.set(id, [1, speeding ? 1 : 0]);
  }

  toState(): PaneState {
    const a = this.a;
    const o = this.off;
    const state: PaneState = {
      fx: this.fx.slice(),
      n: a[o + F_N] as number,
      sum: a[o + F_SUM] as number,
      max: a[o + F_MAX] as number,
      spd: a[o + F_SPD] as number,
      dist: a[o + F_DIST] as number,
    };
    if (this.geo) state.geo = [...this.geo].map(([id, [n, s]]) => [id, n, s]);
    return state;
  }

  load(state: PaneState): void {
    const a = this.a;
    const o = this.off;
    this.fx.length = 0;
    for (const x of state.fx) this.fx.push(x);
    a[o + F_N] = state.n;
    a[o + F_SUM] = state.sum;
    a[o + F_MAX] = state.max;
    a[o + F_SPD] = state.spd;
    a[o + F_DIST] = state.dist;
    this.geo = state.geo ? new Map(state.geo.map(([id, n, s]) => [id, [n, s]])) : undefined;
    if (this.fx.length > 0) this.ends();
  }
}

/**
 * A truck's live panes by pane index: a small ring of slots (index mod size), sized for the panes
 * a truck can have alive at once (bound + lateness + longest window); a pane whose slot is taken
 * (a fix far ahead in event time) goes to an overflow map. The ring's panes keep their aggregates
 * in one contiguous block (`agg`), so assembling a truck's windows reads one piece of memory: with
 * 100,000 trucks that state is rarely in the CPU cache, and cache misses are what windowing
 * spends its time on. Expired pane objects stay in their slot and are reused.
 */
export class PaneSet {
  private readonly ring: (Pane | undefined)[];
  readonly agg: number[];
  overflow: Map<number, Pane> | undefined;
  size = 0;

  constructor(readonly slots: number) {
    this.ring = new Array<Pane | undefined>(slots).fill(undefined);
    this.agg = new Array<number>(slots * FIELDS).fill(EMPTY);
  }

  slot(index: number): number {
    return index - Math.floor(index / this.slots) * this.slots;
  }

  get(index: number): Pane | undefined {
    const slot = this.slot(index);
    if (this.agg[slot * FIELDS] === index) return this.ring[slot];
    return this.overflow?.get(index);
  }

  /** A new empty pane (reusing the slot's expired pane object when there is one). */
  create(index: number): Pane {
    const slot = this.slot(index);
    const current = this.ring[slot];
    let pane: Pane;
    if (current === undefined) {
      pane = new Pane(index, this.agg, slot * FIELDS);
      this.ring[slot] = pane;
    } else if (this.agg[slot * FIELDS] === EMPTY) {
      pane = current;
      pane.clear(index);
    } else {
      pane = new Pane(index, new Array<number>(FIELDS).fill(EMPTY), 0);
      this.overflow ??= new Map();
      this.overflow.set(index, pane);
    }
    this.size++;
    return pane;
  }

  delete(pane: Pane): void {
    const slot = this.slot(pane.index);
    if (pane.a === this.agg && this.agg[slot * FIELDS] === pane.index) {
      this.agg[slot * FIELDS] = EMPTY; // the object stays, to be reused
    } else if (!this.overflow?.delete(pane.index)) return;
    this.size--;
  }

  /** The live panes (a copy: deleting while iterating is fine). */
  list(): Pane[] {
    const panes: Pane[] = [];
    for (let slot = 0; slot < this.slots; slot++) {
      const pane = this.ring[slot];
      if (pane !== undefined && this.agg[slot * FIELDS] === pane.index) panes.push(pane);
    }
    if (this.overflow) for (const pane of this.overflow.values()) panes.push(pane);
    return panes;
  }
}
