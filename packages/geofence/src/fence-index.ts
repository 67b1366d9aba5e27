import type { Geofence } from "@fleetstream/contracts";
import Flatbush from "flatbush";
import { type BBox, compileShape, type Shape } from "./shapes";
import { type GeoPoint, geoPoint } from "./sphere";

/** One version of a geofence, valid for fixes with `from <= eventTime < to`. */
export interface FenceVersion {
  readonly id: string;
  readonly version: number;
  readonly name: string;
  readonly from: number;
  /** Exclusive end: the next version's `from`, the deletion time, or +Infinity. */
  to: number;
  readonly enabled: boolean;
  readonly shape: Shape;
  /** Consecutive fixes needed on the new side (at least 1). */
  readonly confirmFixes: number;
  /** Event time needed from the first to the confirming fix on the new side, ms. */
  readonly confirmMs: number;
  readonly dwellMs: number | null;
  readonly speedLimitKmh: number | null;
  /** Internal: the last query that collected this version (one version, several index parts). */
  mark: number;
}

/** What the alert state machine needs from the geofences. */
export interface FenceSource {
  /** Enabled fence versions valid at `eventTime` whose bbox meets the box. */
  candidates(
    minLon: number,
    minLat: number,
    maxLon: number,
    maxLat: number,
    eventTime: number,
  ): readonly FenceVersion[];
  /** The enabled version of a fence valid at `eventTime`, if any (deleted/disabled: undefined). */
  versionAt(id: string, eventTime: number): FenceVersion | undefined;
}

export interface GeofenceIndexOptions {
  /**
   * How long a superseded version is kept, measured back from the newest change seen (ms, default
   * 1 hour): a fix up to that much older than a change is still matched against the old shape.
   */
  historyMs?: number;
}

export const DEFAULT_HISTORY_MS = 60 * 60_000;

const NO_VERSIONS: FenceVersion[] = [];

export function compileVersion(fence: Geofence): FenceVersion {
  return {
    id: fence.id,
    version: fence.version,
    name: fence.name,
    from: fence.updatedAt,
    to: Number.POSITIVE_INFINITY,
    enabled: fence.enabled,
    shape: compileShape(fence.geometry),
    confirmFixes: Math.max(1, fence.debounce.fixes),
    confirmMs: Math.round(fence.debounce.seconds * 1000),
    dwellMs: fence.dwellSeconds === null ? null : fence.dwellSeconds * 1000,
    speedLimitKmh: fence.speedLimitKmh,
    mark: 0,
  };
}

/**
 * The geofences as they change over event time, with a spatial index (flatbush, a packed Hilbert
 * R-tree) over the bounding boxes of every retained enabled version. Changes are applied with
 * `upsert`/`remove`; the tree is rebuilt lazily on the next query after a change (10,000 fences
 * take a few milliseconds), which suits fences that change rarely and are queried constantly.
 */
export class GeofenceIndex implements FenceSource {
  private readonly history = new Map<string, FenceVersion[]>();
  private readonly historyMs: number;
  private entries: FenceVersion[] = [];
  private tree: Flatbush | undefined;
  private dirty = false;
  private newestChange = Number.NEGATIVE_INFINITY;
  private prunedAt = Number.NEGATIVE_INFINITY;
  /** Scratch state of `candidates` for `collect`. */
  private found: FenceVersion[] = NO_VERSIONS;
  private at = 0;
  private query = 0;
  private readonly collect = (i: number): boolean => {
    const v = this.entries[i] as FenceVersion;
    if (v.mark !== this.query && v.from <= this.at && this.at < v.to) {
      v.mark = this.query;
      this.found.push(v);
    }
    return false;
  };

  constructor(options: GeofenceIndexOptions = {}) {
    this.historyMs = options.historyMs ?? DEFAULT_HISTORY_MS;
  }

  /** Fences with a version valid now or later (deleted ones excluded). */
  get size(): number {
    let count = 0;
    for (const versions of this.history.values()) {
      if (versions.at(-1)?.to === Number.POSITIVE_INFINITY) count++;
    }
    return count;
  }

  /** A new version of a fence, valid from `fence.updatedAt` (replaces versions not older). */
  upsert(fence: Geofence): void {
    const next = compileVersion(fence);
    const versions = (this.history.get(fence.id) ?? []).filter((v) => v.from < next.from);
    const previous = versions.at(-1);
    if (previous) previous.to = Math.min(previous.to, next.from);
    versions.push(next);
    this.history.set(fence.id, versions);
    this.changed(next.from);
  }

  /** The fence was deleted at `at`: no version applies to fixes at or after it. */
  remove(id: string, at: number): void {
    const versions = this.history.get(id);
    const last = versions?.at(-1);
    if (!versions || !last) return;
    last.to = Math.max(last.from, Math.min(last.to, at));
    this.changed(at);
  }

  /** The latest version of every fence that has not been deleted. */
  current(): FenceVersion[] {
    const result: FenceVersion[] = [];
    for (const versions of this.history.values()) {
      const last = versions.at(-1);
      if (last && last.to === Number.POSITIVE_INFINITY) result.push(last);
    }
    return result;
  }

  versionAt(id: string, eventTime: number): FenceVersion | undefined {
    const versions = this.history.get(id);
    if (!versions) return undefined;
    for (let i = versions.length - 1; i >= 0; i--) {
      const v = versions[i] as FenceVersion;
      if (v.from <= eventTime) return eventTime < v.to && v.enabled ? v : undefined;
    }
    return undefined;
  }

  candidates(
    minLon: number,
    minLat: number,
    maxLon: number,
    maxLat: number,
    eventTime: number,
  ): FenceVersion[] {
    const tree = this.search();
    if (!tree) return [];
    // Collected in the filter (which then declines), so flatbush builds no result array; the
    // filter is one bound function, not a closure per call.
    const result: FenceVersion[] = [];
    this.found = result;
    this.at = eventTime;
    this.query++;
    tree.search(minLon, minLat, maxLon, maxLat, this.collect);
    this.found = NO_VERSIONS;
    return result;
  }

  /** Enabled fence versions valid at `eventTime` that contain the point. */
  containing(lat: number, lon: number, eventTime: number): FenceVersion[] {
    const candidates = this.candidates(lon, lat, lon, lat, eventTime);
    if (candidates.length === 0) return candidates;
    const p: GeoPoint = geoPoint(lon, lat);
    return candidates.filter((v) => v.shape.contains(p));
  }

  private changed(at: number): void {
    if (at > this.newestChange) this.newestChange = at;
    // Pruning walks every fence: do it when the clock of changes has moved on enough.
    if (this.newestChange - this.prunedAt >= this.historyMs / 4) {
      this.prunedAt = this.newestChange;
      this.prune();
    }
    this.dirty = true;
  }

  /** Drops versions that ended more than historyMs before the newest change. */
  private prune(): void {
    const horizon = this.newestChange - this.historyMs;
    for (const [id, versions] of this.history) {
      if (versions[0] && versions[0].to > horizon) continue;
      const kept = versions.filter((v) => v.to > horizon);
      if (kept.length === 0) this.history.delete(id);
      else this.history.set(id, kept);
    }
  }

  private search(): Flatbush | undefined {
    if (!this.dirty) return this.tree;
    this.dirty = false;
    this.entries = [];
    const boxes: BBox[] = [];
    for (const versions of this.history.values()) {
      for (const v of versions) {
        if (!v.enabled || v.to <= v.from) continue;
        // One entry per part: a version appears as often as its shape has parts.
        for (const part of v.shape.parts) {
          this.entries.push(v);
          boxes.push(part);
        }
      }
    }
    if (this.entries.length === 0) {
      this.tree = undefined;
      return undefined;
    }
    const tree = new Flatbush(this.entries.length);
    for (const [minX, minY, maxX, maxY] of boxes) tree.add(minX, minY, maxX, maxY);
    tree.finish();
    this.tree = tree;
    return tree;
  }
}
