import {
  type GpsFix,
  jsonWriter,
  LateGpsFix,
  ScopeSpeedWindow,
  scopeWindowRecordKey,
  TOPICS,
  type TruckSpeedWindow,
  writeTruckSpeedWindow,
} from "@fleetstream/contracts";
import type { EventLog } from "@fleetstream/eventlog";
import type { Logger } from "@fleetstream/service";
import {
  createPartitionWindows,
  type LateFix,
  type PartialChange,
  type PartitionWindowState,
  type PartitionWindows,
  planWindows,
  TruckWindowColumns,
  type TruckWindowState,
  type WindowPlan,
} from "@fleetstream/windows";
import { OperatorSettings } from "../env";
import {
  type AcceptedFix,
  BACKLOG_RECORDS,
  type CheckpointRecord,
  type GeofenceLookup,
  type OperatorCheckpoint,
  type OutputRecord,
  type StreamOperator,
} from "../pipeline/operator";
import {
  combineScopeWindows,
  markPublished,
  type PendingScopeWindow,
  pendingScopeWindows,
} from "./combiner";
import { type PartitionProgressRow, saveWindowOutputs } from "./outputs";

const SETTINGS = OperatorSettings.pick({
  WINDOW_EARLY_FIRE_MS: true,
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
  earlyFireMs: number;
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
  return {
    plan,
    idleTimeoutMs: s.WINDOW_IDLE_TIMEOUT_MS,
    tickMs: s.WINDOW_TICK_MS,
    earlyFireMs: s.WINDOW_EARLY_FIRE_MS,
  };
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

// Whole-valued averages and distances stay floats on the topics ("avgSpeedKmh":60.0), so
// consumers that infer a schema from the records see one type (truck windows: writeTruckSpeedWindow).
const writeScopeWindow = jsonWriter(ScopeSpeedWindow);
const writeLateFix = jsonWriter(LateGpsFix);

/** Most fleet/geofence window records published per tick. */
const PUBLISH_LIMIT = 5_000;

const iso = (ms: number) => (Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms));
const finiteOrNull = (x: number) => (Number.isFinite(x) ? x : null);

/** The partition's own state as stored (JSON: -Infinity before the first fix as null). */
type StoredPartitionState = Omit<PartitionWindowState, "watermark" | "maxEventTime"> & {
  watermark: number | null;
  maxEventTime: number | null;
};

const encodePartition = (s: PartitionWindowState): StoredPartitionState => ({
  ...s,
  watermark: finiteOrNull(s.watermark),
  maxEventTime: finiteOrNull(s.maxEventTime),
});

const decodePartition = (s: StoredPartitionState): PartitionWindowState => ({
  ...s,
  watermark: s.watermark ?? Number.NEGATIVE_INFINITY,
  maxEventTime: s.maxEventTime ?? Number.NEGATIVE_INFINITY,
});

const EMPTY_PARTITION: PartitionWindowState = {
  watermark: Number.NEGATIVE_INFINITY,
  maxEventTime: Number.NEGATIVE_INFINITY,
  lateCount: 0,
  duplicateCount: 0,
  partials: [],
};

/**
 * One partition: its engine and its outputs not written yet: final windows (as columns: a minute's
 * close brings one of every truck, kept until the checkpoint), the trucks whose open
 * tumbling windows changed (their early values are read from the engine at the checkpoint, not
 * kept per fix), partials, late fixes; and per truck its early-value clock.
 */
interface PartitionState {
  engine: PartitionWindows<GpsFix>;
  finals: TruckWindowColumns;
  /** Per truck, the starts of its open tumbling windows changed since their last write. */
  earlyDue: Map<string, number[]>;
  /**
   * Per truck, the open window whose early values are spaced earlyFireMs apart, and since when:
   * its last write, or (in a backlog) its first change.
   */
  earlyClock: Map<string, { start: number; at: number }>;
  partials: Map<string, PartialChange>;
  late: LateFix<GpsFix>[];
  progress: PartitionProgressRow | undefined;
}

/** Marks a truck's open tumbling window (by start) as changed since its last write. */
function due(earlyDue: Map<string, number[]>, truckId: string, start: number): void {
  const starts = earlyDue.get(truckId);
  if (!starts) earlyDue.set(truckId, [start]);
  else if (!starts.includes(start)) starts.push(start);
}

/** A truck's tumbling window is final: no early value is owed any more. */
function settle(state: PartitionState, truckId: string, start: number): void {
  const starts = state.earlyDue.get(truckId);
  if (starts?.includes(start)) {
    if (starts.length === 1) state.earlyDue.delete(truckId);
    else starts.splice(starts.indexOf(start), 1);
  }
  if (state.earlyClock.get(truckId)?.start === start) state.earlyClock.delete(truckId);
}

/**
 * Which changed open windows get their early value written at this checkpoint (the rest stay due):
 * - caught up (lag 0): all of them;
 * - behind: each window at most every earlyFireMs after its last write;
 * - in a backlog (more than BACKLOG_RECORDS behind): also its first write waits earlyFireMs after
 *   its first change, so a window that opens and closes faster than that (a catch-up covers a
 *   minute of event time in seconds) is written once, final, as a processing-time early trigger
 *   does in Flink. Without it, catching up wrote every window twice.
 * Final values never wait.
 */
function earlyValuesDue(
  state: PartitionState,
  now: number,
  lag: number,
  earlyFireMs: number,
): Map<string, number[]> {
  const writeNow = new Map<string, number[]>();
  // In place: in a backlog most windows wait, and copying them into a new map at every
  // checkpoint took about 3 % of the lane's main thread (pipeline bench profile).
  for (const [truckId, starts] of state.earlyDue) {
    let waiting = 0;
    for (const start of starts) {
      const clock = state.earlyClock.get(truckId);
      const wait =
        lag > 0 && (clock?.start === start ? now - clock.at < earlyFireMs : lag > BACKLOG_RECORDS);
      if (wait) {
        // A newer window takes the clock over; an older one (open a little longer for late
        // fixes) does not take it back: it waits for its final value.
        if (!clock || clock.start < start) state.earlyClock.set(truckId, { start, at: now });
        starts[waiting++] = start;
        continue;
      }
      due(writeNow, truckId, start);
      if (clock) {
        clock.start = start;
        clock.at = now;
      } else state.earlyClock.set(truckId, { start, at: now });
    }
    if (waiting === 0) state.earlyDue.delete(truckId);
    else starts.length = waiting;
  }
  return writeNow;
}

const partialKey = (p: PartialChange) => `${p.scopeType}|${p.scopeId}|${p.start}`;

/**
 * Speed windows in event time (issue 5), as a stream operator:
 * - per partition, an engine (packages/windows): per-truck 1-min tumbling and 5-min hopping
 *   windows from 1-min panes, and that partition's part of the fleet and per-geofence 1-min
 *   windows. Its outputs are kept until the next checkpoint, one value per window (the latest):
 *   tumbling windows early and when final, hopping windows when final; then published and upserted.
 *   Its state (per truck: live panes; per partition: watermark, counters, open partials) goes
 *   into the checkpoint's state rows;
 * - on every tick, the fleet/geofence windows are summed over all partitions in PostgreSQL and
 *   finalized by the processor watermark (min over partitions, idle rule), then published.
 */
export function createSpeedWindowsOperator(deps: SpeedWindowsDeps): StreamOperator {
  const { eventLog, logger, groupId, lookup } = deps;
  const { plan, idleTimeoutMs, tickMs, earlyFireMs } = speedWindowSettings(deps.env);
  const partitions = new Map<number, PartitionState>();
  let processorWatermark = Number.NEGATIVE_INFINITY;
  let lastIdle = "";

  const fresh = (): PartitionState => {
    const engine = createPartitionWindows<GpsFix>(plan, lookup);
    engine.processorWatermark = processorWatermark;
    return {
      engine,
      finals: new TruckWindowColumns(),
      earlyDue: new Map(),
      earlyClock: new Map(),
      partials: new Map(),
      late: [],
      progress: undefined,
    };
  };

  const stateOf = (partition: number): PartitionState => {
    let state = partitions.get(partition);
    if (!state) {
      state = fresh();
      partitions.set(partition, state);
    }
    return state;
  };

  return {
    name: "speed-windows",
    tickIntervalMs: tickMs,
    topics: () => [TOPICS.truckSpeedWindows, TOPICS.scopeSpeedWindows, TOPICS.gpsLate],

    restore(partition, stored) {
      const state = fresh();
      const own = stored.get("") as StoredPartitionState | undefined;
      const trucks: [string, TruckWindowState][] = [];
      for (const [key, value] of stored)
        if (key !== "") trucks.push([key, value as TruckWindowState]);
      state.engine.restore(own ? decodePartition(own) : EMPTY_PARTITION, trucks);
      // Early values held back before the restart are lost with it: owe every open one again.
      const open = state.engine.openTumblingWindows();
      for (let i = 0; i < open.length; i++)
        due(state.earlyDue, open.truckId[i] as string, open.start[i] as number);
      partitions.set(partition, state);
    },

    drop(partition) {
      partitions.delete(partition);
    },

    stateOf(partition, key) {
      const engine = partitions.get(partition)?.engine;
      if (!engine) return undefined;
      return key === "" ? encodePartition(engine.partitionState()) : engine.truckState(key);
    },

    stateSize() {
      let partials = 0;
      for (const { engine } of partitions.values())
        partials += engine.partitionState().partials.length;
      return { openScopePartials: partials };
    },

    process(partition: number, fixes: readonly AcceptedFix[]): OutputRecord[] {
      const state = stateOf(partition);
      const result = state.engine.process(fixes);
      // Final windows kept as they are; an early one only marks its truck (one of them per fix:
      // an object and a key each cost a tenth of the lane's time, most never written).
      const windows = result.windows;
      for (let i = 0; i < windows.length; i++) {
        const truckId = windows.truckId[i] as string;
        if (!windows.final[i]) {
          due(state.earlyDue, truckId, windows.start[i] as number);
          continue;
        }
        state.finals.append(windows, i);
        if (windows.kind[i] === "tumbling") settle(state, truckId, windows.start[i] as number);
      }
      for (const partial of result.partials) {
        const key = partialKey(partial);
        const before = state.partials.get(key);
        state.partials.set(key, { ...partial, changed: partial.changed || !!before?.changed });
      }
      for (const late of result.late) state.late.push(late);
      if (fixes.length > 0)
        state.progress = {
          watermark: result.watermark,
          maxEventTime: result.maxEventTime,
          lateCount: result.lateCount,
          duplicateCount: result.duplicateCount,
        };
      if (result.late.length > 0)
        logger.info(
          { partition, late: result.late.length, watermark: iso(result.watermark) },
          "late fixes reported",
        );
      return [];
    },

    checkpoint(partition, { now, lag }): OperatorCheckpoint {
      const state = stateOf(partition);
      const windows = state.finals;
      const writeNow = earlyValuesDue(state, now, lag, earlyFireMs);
      const open = state.engine.openTumblingWindows(writeNow.keys());
      for (let i = 0; i < open.length; i++)
        if (writeNow.get(open.truckId[i] as string)?.includes(open.start[i] as number))
          windows.append(open, i); // not its other open window: unchanged
      const partials = [...state.partials.values()];
      const late = state.late;
      const progress = state.progress;
      state.finals = new TruckWindowColumns();
      state.partials = new Map();
      state.late = [];
      state.progress = undefined;
      const changed = state.engine.takeChangedKeys();
      if (changed.partition) changed.trucks.push("");
      // Written with the checkpoint, not now: at a minute's close every truck has two.
      const records: CheckpointRecord[] = [];
      if (windows.length > 0)
        records.push({
          topic: TOPICS.truckSpeedWindows.name,
          length: windows.length,
          key: (i) => windows.truckId[i] as string,
          encode: (i) => writeTruckSpeedWindow(truckRecord(windows, i)),
        });
      for (const l of late)
        records.push({
          topic: TOPICS.gpsLate.name,
          key: l.fix.truckId,
          value: writeLateFix(lateRecord(l, partition, plan)),
        });
      return {
        records,
        changed: changed.trucks,
        persist: (tx) =>
          saveWindowOutputs(tx, groupId, partition, { windows, partials, late, progress }),
      };
    },

    async tick(db) {
      const endOffsets = await eventLog.offsets(TOPICS.gpsFixes.name);
      const { watermark, idle } = await combineScopeWindows(db.sql, {
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
        for (const { engine } of partitions.values()) engine.processorWatermark = watermark;
      }
      const pending = await pendingScopeWindows(db.sql, PUBLISH_LIMIT);
      return {
        records: pending.map((w) => ({
          topic: TOPICS.scopeSpeedWindows.name,
          key: scopeWindowRecordKey(w.scopeType, w.scopeId),
          value: writeScopeWindow(scopeRecord(w)),
        })),
        persist: (tx) => markPublished(tx, pending),
      };
    },
  };
}

function truckRecord(w: TruckWindowColumns, i: number): TruckSpeedWindow {
  const start = w.start[i] as number;
  const end = w.end[i] as number;
  return {
    v: 1,
    truckId: w.truckId[i] as string,
    kind: w.kind[i] as TruckSpeedWindow["kind"],
    windowStart: start,
    windowEnd: end,
    sizeMs: end - start,
    final: w.final[i] as boolean,
    fixCount: w.fixCount[i] as number,
    avgSpeedKmh: w.avgSpeedKmh[i] as number,
    maxSpeedKmh: w.maxSpeedKmh[i] as number,
    speedingCount: w.speedingCount[i] as number,
    distanceM: w.distanceM[i] as number,
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
