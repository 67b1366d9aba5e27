import { greatCircleM } from "@fleetstream/geofence/sphere";
import { limitAt } from "./engine";
import { isFinalAt, type WindowPlan, windowsOf } from "./plan";
import {
  FLEET_SCOPE_ID,
  type ScopePartial,
  type ScopeType,
  type ScopeWindowResult,
  type TruckWindowResult,
  type WindowFix,
  type ZoneLookup,
} from "./types";

/** One record as the processor received it: its partition, in arrival (offset) order overall. */
export interface OracleRecord<F extends WindowFix = WindowFix> {
  partition: number;
  fix: F;
}

export interface OracleResult<F extends WindowFix = WindowFix> {
  /** Fixes that came after their earliest-ending window was final, in arrival order. */
  late: { partition: number; fix: F }[];
  duplicates: number;
  /** Final partition watermarks. */
  watermarks: Map<number, number>;
  /** Key: truckWindowKey(...). */
  truckWindows: Map<string, TruckWindowResult>;
  /** Key: scopeWindowKey(...). Fleet and geofence windows over all partitions. */
  scopeWindows: Map<string, ScopeWindowResult>;
}

export const truckWindowKey = (w: Pick<TruckWindowResult, "truckId" | "kind" | "start">) =>
  `${w.truckId}|${w.kind}|${w.start}`;

export const scopeWindowKey = (w: Pick<ScopeWindowResult, "scopeType" | "scopeId" | "start">) =>
  `${w.scopeType}|${w.scopeId}|${w.start}`;

/**
 * The brute-force reference: decides lateness record by record from the definition, then sorts
 * all accepted fixes and computes every window directly (no panes, no incremental state).
 *
 * `processorWatermark` decides which fleet/geofence windows are final: by default the minimum of
 * the final partition watermarks (every partition active); pass "max" for the value the idle rule
 * reaches once every partition is idle, or a number.
 */
export function bruteForceWindows<F extends WindowFix>(
  records: readonly OracleRecord<F>[],
  plan: WindowPlan,
  lookup: ZoneLookup,
  processorWatermark: "min" | "max" | number = "min",
): OracleResult<F> {
  const maxSeen = new Map<number, number>();
  const truckPartition = new Map<string, number>();
  const seen = new Set<string>();
  const accepted: F[] = [];
  const late: { partition: number; fix: F }[] = [];
  let duplicates = 0;

  for (const { partition, fix } of records) {
    const max = maxSeen.get(partition);
    const watermark = max === undefined ? Number.NEGATIVE_INFINITY : max - plan.watermarkBoundMs;
    const earliestEnd = Math.min(...windowsOf(fix.eventTime, plan).map((w) => w.end));
    if (watermark >= earliestEnd + plan.allowedLatenessMs) {
      late.push({ partition, fix });
      continue;
    }
    maxSeen.set(partition, Math.max(max ?? Number.NEGATIVE_INFINITY, fix.eventTime));
    const id = `${fix.truckId}|${fix.seq}`;
    if (seen.has(id)) {
      duplicates++;
      continue;
    }
    seen.add(id);
    accepted.push(fix);
    truckPartition.set(fix.truckId, partition);
  }

  const watermarks = new Map<number, number>();
  for (const [partition, max] of maxSeen) watermarks.set(partition, max - plan.watermarkBoundMs);

  // Group accepted fixes by every window they fall in.
  const truckGroups = new Map<
    string,
    { truckId: string; kind: "tumbling" | "hopping"; start: number; end: number; fixes: F[] }
  >();
  const scopeGroups = new Map<
    string,
    { scopeType: ScopeType; scopeId: string; start: number; end: number; fixes: F[] }
  >();
  const speedingOf = new Map<F, boolean>();
  for (const fix of accepted) {
    const zones = lookup.containing(fix.lat, fix.lon, fix.eventTime);
    speedingOf.set(fix, fix.speedKmh > limitAt(zones, plan.speedingThresholdKmh));
    for (const w of windowsOf(fix.eventTime, plan)) {
      if (w.kind === "scope") {
        const scopes: [ScopeType, string][] = [
          ["fleet", FLEET_SCOPE_ID],
          ...zones.map((z): [ScopeType, string] => ["geofence", z.id]),
        ];
        for (const [scopeType, scopeId] of scopes) {
          const key = scopeWindowKey({ scopeType, scopeId, start: w.start });
          const group = scopeGroups.get(key) ?? {
            scopeType,
            scopeId,
            start: w.start,
            end: w.end,
            fixes: [],
          };
          group.fixes.push(fix);
          scopeGroups.set(key, group);
        }
        continue;
      }
      const key = truckWindowKey({ truckId: fix.truckId, kind: w.kind, start: w.start });
      const group = truckGroups.get(key) ?? {
        truckId: fix.truckId,
        kind: w.kind,
        start: w.start,
        end: w.end,
        fixes: [],
      };
      group.fixes.push(fix);
      truckGroups.set(key, group);
    }
  }

  const truckWindows = new Map<string, TruckWindowResult>();
  for (const [key, g] of truckGroups) {
    const fixes = [...g.fixes].sort((a, b) => a.eventTime - b.eventTime || a.seq - b.seq);
    let distanceM = 0;
    for (let i = 1; i < fixes.length; i++) {
      const a = fixes[i - 1] as F;
      const b = fixes[i] as F;
      distanceM += greatCircleM(a.lat, a.lon, b.lat, b.lon);
    }
    const partitionWatermark =
      watermarks.get(truckPartition.get(g.truckId) ?? -1) ?? Number.NEGATIVE_INFINITY;
    truckWindows.set(key, {
      truckId: g.truckId,
      kind: g.kind,
      start: g.start,
      end: g.end,
      final: isFinalAt(g.end, partitionWatermark, plan),
      fixCount: fixes.length,
      avgSpeedKmh: fixes.reduce((s, f) => s + f.speedKmh, 0) / fixes.length,
      maxSpeedKmh: Math.max(...fixes.map((f) => f.speedKmh)),
      speedingCount: fixes.filter((f) => speedingOf.get(f)).length,
      distanceM,
    });
  }

  const all = [...watermarks.values()];
  const global =
    typeof processorWatermark === "number"
      ? processorWatermark
      : all.length === 0
        ? Number.NEGATIVE_INFINITY
        : processorWatermark === "min"
          ? Math.min(...all)
          : Math.max(...all);
  const scopeWindows = new Map<string, ScopeWindowResult>();
  for (const [key, g] of scopeGroups) {
    const speedSumKmh = g.fixes.reduce((s, f) => s + f.speedKmh, 0);
    scopeWindows.set(key, {
      scopeType: g.scopeType,
      scopeId: g.scopeId,
      start: g.start,
      end: g.end,
      final: isFinalAt(g.end, global, plan),
      fixCount: g.fixes.length,
      speedSumKmh,
      avgSpeedKmh: speedSumKmh / g.fixes.length,
      activeTrucks: new Set(g.fixes.map((f) => f.truckId)).size,
      speedingTrucks: new Set(g.fixes.filter((f) => speedingOf.get(f)).map((f) => f.truckId)).size,
    });
  }
  return { late, duplicates, watermarks, truckWindows, scopeWindows };
}

/**
 * Fleet/geofence windows over all partitions from each partition's latest partial: sums (distinct
 * truck counts add up because a truck's fixes are all in one partition); final once the
 * processor watermark passed end + allowed lateness. The processor does the same in SQL.
 */
export function combinePartials(
  partials: readonly ScopePartial[],
  processorWatermark: number,
  plan: WindowPlan,
): Map<string, ScopeWindowResult> {
  const combined = new Map<string, ScopeWindowResult>();
  for (const p of partials) {
    const key = scopeWindowKey(p);
    const c = combined.get(key) ?? {
      scopeType: p.scopeType,
      scopeId: p.scopeId,
      start: p.start,
      end: p.end,
      final: isFinalAt(p.end, processorWatermark, plan),
      fixCount: 0,
      speedSumKmh: 0,
      avgSpeedKmh: 0,
      activeTrucks: 0,
      speedingTrucks: 0,
    };
    c.fixCount += p.fixCount;
    c.speedSumKmh += p.speedSumKmh;
    c.activeTrucks += p.activeTrucks;
    c.speedingTrucks += p.speedingTrucks;
    c.avgSpeedKmh = c.speedSumKmh / c.fixCount;
    combined.set(key, c);
  }
  return combined;
}
