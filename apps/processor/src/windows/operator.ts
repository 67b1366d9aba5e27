import {
  type GpsFix,
  type LateGpsFix,
  type ScopeSpeedWindow,
  scopeWindowRecordKey,
  TOPICS,
  type TruckSpeedWindow,
} from "@fleetstream/contracts";
import type { PrismaClient } from "@fleetstream/db";
import type { EventLog } from "@fleetstream/eventlog";
import type { Logger } from "@fleetstream/service";
import {
  type LateFix,
  PartitionWindows,
  planWindows,
  type TruckWindowResult,
  type WindowPlan,
} from "@fleetstream/windows";
import { OperatorSettings } from "../env";
import type {
  AcceptedFix,
  DbReader,
  GeofenceLookup,
  OperatorOutput,
  OutputRecord,
  StreamOperator,
} from "../pipeline/operator";
import {
  combineScopeWindows,
  loadPartition,
  markPublished,
  type PendingScopeWindow,
  pendingScopeWindows,
  saveBatch,
} from "./store";

const SETTINGS = OperatorSettings.pick({
  WINDOW_TUMBLING_MS: true,
  WINDOW_HOP_SIZE_MS: true,
  WINDOW_HOP_ADVANCE_MS: true,
  WINDOW_SCOPE_MS: true,
  WINDOW_WATERMARK_BOUND_MS: true,
  WINDOW_ALLOWED_LATENESS_MS: true,
  WINDOW_IDLE_TIMEOUT_MS: true,
  WINDOW_TICK_MS: true,
  SPEEDING_THRESHOLD_KMH: true,
});
export type SpeedWindowSettings = ReturnType<typeof SETTINGS.parse>;

/** Settings from (part of) OperatorSettings, defaults for the rest; throws one line if inconsistent. */
export function speedWindowSettings(env: Partial<OperatorSettings> = {}): {
  plan: WindowPlan;
  idleTimeoutMs: number;
  tickMs: number;
} {
  const s = { ...SETTINGS.parse({}), ...definedOnly(env) };
  const plan = planWindows({
    tumblingMs: s.WINDOW_TUMBLING_MS,
    hopSizeMs: s.WINDOW_HOP_SIZE_MS,
    hopAdvanceMs: s.WINDOW_HOP_ADVANCE_MS,
    scopeMs: s.WINDOW_SCOPE_MS,
    watermarkBoundMs: s.WINDOW_WATERMARK_BOUND_MS,
    allowedLatenessMs: s.WINDOW_ALLOWED_LATENESS_MS,
    speedingThresholdKmh: s.SPEEDING_THRESHOLD_KMH,
  });
  return { plan, idleTimeoutMs: s.WINDOW_IDLE_TIMEOUT_MS, tickMs: s.WINDOW_TICK_MS };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export interface SpeedWindowsDeps {
  eventLog: EventLog;
  logger: Logger;
  groupId: string;
  /** Geofences containing a point (per-geofence windows and speed limits). */
  lookup: GeofenceLookup;
  env?: Partial<OperatorSettings> | undefined;
}

/** Most fleet/geofence window records published per tick. */
const PUBLISH_LIMIT = 5_000;

const iso = (ms: number) => (Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms));

/**
 * Speed windows in event time (issue 5), as a stream operator:
 * - per partition, a PartitionWindows engine (packages/windows): per-truck 1-min tumbling and
 *   5-min hopping windows from 1-min panes, and that partition's part of the fleet and
 *   per-geofence 1-min windows; its state (watermark, open panes, open partials) is written with
 *   every batch and reloaded by `restore`;
 * - on every tick, the fleet/geofence windows are summed over all partitions in PostgreSQL and
 *   finalized by the processor watermark (min over partitions, idle rule), then published.
 */
export function createSpeedWindowsOperator(deps: SpeedWindowsDeps): StreamOperator {
  const { eventLog, logger, groupId, lookup } = deps;
  const { plan, idleTimeoutMs, tickMs } = speedWindowSettings(deps.env);
  const engines = new Map<number, PartitionWindows<GpsFix>>();
  let processorWatermark = Number.NEGATIVE_INFINITY;
  let lastIdle = "";

  const engineFor = (partition: number) => {
    let engine = engines.get(partition);
    if (!engine) {
      engine = new PartitionWindows<GpsFix>(plan, lookup);
      engine.processorWatermark = processorWatermark;
      engines.set(partition, engine);
    }
    return engine;
  };

  return {
    name: "speed-windows",
    tickIntervalMs: tickMs,

    topics: () => [TOPICS.truckSpeedWindows, TOPICS.scopeSpeedWindows, TOPICS.gpsLate],

    async restore(partition: number, db: DbReader): Promise<void> {
      const { snapshot, processorWatermark: stored } = await loadPartition(db, groupId, partition);
      processorWatermark = Math.max(processorWatermark, stored);
      const engine = new PartitionWindows<GpsFix>(plan, lookup);
      engine.restore(snapshot);
      engine.processorWatermark = processorWatermark;
      engines.set(partition, engine);
    },

    process(partition: number, fixes: readonly AcceptedFix[]): OperatorOutput {
      const engine = engineFor(partition);
      // The engine reuses its output for the next batch: keep copies until persist has run.
      const processed = engine.process(fixes);
      const result = { ...processed, windows: processed.windows.copy() };
      const panes = engine.changedPanes();
      const records: OutputRecord[] = [];
      for (let i = 0; i < result.windows.length; i++) {
        const w = result.windows.at(i);
        records.push({
          topic: TOPICS.truckSpeedWindows.name,
          key: w.truckId,
          value: JSON.stringify(truckRecord(w)),
        });
      }
      for (const late of result.late) {
        records.push({
          topic: TOPICS.gpsLate.name,
          key: late.fix.truckId,
          value: JSON.stringify(lateRecord(late, partition, plan)),
        });
      }
      if (result.late.length > 0) {
        logger.info(
          { partition, late: result.late.length, watermark: iso(result.watermark) },
          "late fixes reported",
        );
      }
      return { records, persist: (tx) => saveBatch(tx, groupId, partition, result, panes) };
    },

    async tick(prisma: PrismaClient): Promise<OperatorOutput> {
      // kafkajs's fetchTopicOffsets fails now and then under concurrent admin calls
      // (tulios/kafkajs#461): one immediate retry, else the next tick tries again.
      const endOffsets = await eventLog
        .offsets(TOPICS.gpsFixes.name)
        .catch(() => eventLog.offsets(TOPICS.gpsFixes.name));
      const { watermark, idle } = await combineScopeWindows(prisma, {
        groupId,
        inputTopic: TOPICS.gpsFixes.name,
        endOffsets,
        idleTimeoutMs,
        plan,
      });
      const idleText = idle.join(",");
      if (idleText !== lastIdle && idle.length < endOffsets.length) {
        logger.info(
          { idle, watermark: iso(watermark) },
          "idle partitions left out of the watermark",
        );
      }
      lastIdle = idleText;
      if (watermark > processorWatermark) {
        processorWatermark = watermark;
        for (const engine of engines.values()) engine.processorWatermark = watermark;
      }
      const pending = await pendingScopeWindows(prisma, PUBLISH_LIMIT);
      return {
        records: pending.map((w) => ({
          topic: TOPICS.scopeSpeedWindows.name,
          key: scopeWindowRecordKey(w.scopeType, w.scopeId),
          value: JSON.stringify(scopeRecord(w)),
        })),
        persist: (tx) => markPublished(tx, pending),
      };
    },
  };
}

function truckRecord(w: TruckWindowResult): TruckSpeedWindow {
  return {
    v: 1,
    truckId: w.truckId,
    kind: w.kind,
    windowStart: w.start,
    windowEnd: w.end,
    sizeMs: w.end - w.start,
    final: w.final,
    fixCount: w.fixCount,
    avgSpeedKmh: w.avgSpeedKmh,
    maxSpeedKmh: w.maxSpeedKmh,
    speedingCount: w.speedingCount,
    distanceM: w.distanceM,
  };
}

function scopeRecord(w: PendingScopeWindow): ScopeSpeedWindow {
  return {
    v: 1,
    scopeType: w.scopeType,
    scopeId: w.scopeId,
    windowStart: w.start,
    windowEnd: w.end,
    sizeMs: w.end - w.start,
    final: w.final,
    activeTrucks: w.activeTrucks,
    speedingTrucks: w.speedingTrucks,
    fixCount: w.fixCount,
    avgSpeedKmh: w.avgSpeedKmh,
  };
}

function lateRecord(late: LateFix<GpsFix>, partition: number, plan: WindowPlan): LateGpsFix {
  const lateness = `${plan.allowedLatenessMs / 1000} s`;
  const detail =
    late.reason === "window-closed"
      ? `partition ${partition} watermark ${iso(late.watermark)} >= window end ${iso(late.windowEnd)} + ${lateness} allowed lateness`
      : `processor watermark ${iso(late.watermark)} >= fleet/geofence window end ${iso(late.windowEnd)} + ${lateness} (partition ${partition} was idle); counted in the truck's windows only`;
  return {
    v: 1,
    reason: late.reason,
    detail,
    partition,
    offset: late.offset,
    windowEnd: late.windowEnd,
    watermark: late.watermark,
    fix: late.fix,
  };
}
