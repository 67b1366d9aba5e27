import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
/**
 * Test helpers: seeded random GPS streams with reordering, late fixes and duplicates, and a
 * harness that runs PartitionWindows per partition the way the processor does (batches,
 * checkpoints of the changed state with the outputs since the previous one, crashes that lose
 * what came after the last checkpoint and replay the input from there).
 */
import { createPartitionWindows } from "../engine";
import type { OracleRecord } from "../oracle";
import { scopeWindowKey, truckWindowKey } from "../oracle";
import type { WindowPlan } from "../plan";
import type {
  LateFix,
  PartitionWindowState,
  ScopePartial,
  TruckWindowResult,
  TruckWindowState,
  WindowFix,
  ZoneLookup,
  ZoneRef,
} from "../types";

/** Seeded uniform [0, 1) draws from pure-rand's xoroshiro128+ (fast-check's PRNG, as the simulator). */
export function seededRandom(seed: number): () => number {
  const generator = xoroshiro128plus(seed >>> 0);
  return () => uniformFloat64(generator);
}

export interface StreamSpec {
  seed: number;
  trucks: number;
  partitions: number;
  fixesPerTruck: number;
  intervalMs: number;
  /** Every record is delayed by up to this (reordering within the bound). */
  maxDelayMs: number;
  /** Share of fixes delayed by lateDelayMs .. 2 x lateDelayMs instead. */
  lateRate: number;
  lateDelayMs: number;
  duplicateRate: number;
  startTime: number;
}

export interface TestFix extends WindowFix {
  headingDeg: number;
}

export interface GeneratedStream {
  /** In arrival order (each partition in its own order, partitions interleaved by arrival). */
  records: OracleRecord<TestFix>[];
  /** Delay of each record (arrival - event time), same order. */
  delays: number[];
}

/** Geofences for tests: a 50 km/h zone and a zone without limit, as latitude/longitude bands. */
export const BAND_ZONES: ZoneLookup = {
  containing(lat, lon) {
    const zones: ZoneRef[] = [];
    if (lat >= 52.02 && lat < 52.06) zones.push({ id: "slow-zone", speedLimitKmh: 50 });
    if (lon >= 5.03 && lon < 5.07) zones.push({ id: "depot", speedLimitKmh: undefined });
    if (lat >= 52.04 && lon >= 5.05) zones.push({ id: "fast-lane", speedLimitKmh: 120 });
    return zones;
  },
};

export function generateStream(spec: StreamSpec): GeneratedStream {
  const random = seededRandom(spec.seed);
  const byPartition: { arrival: number; order: number; record: OracleRecord<TestFix> }[][] =
    Array.from({ length: spec.partitions }, () => []);
  let order = 0;
  for (let truck = 0; truck < spec.trucks; truck++) {
    const partition = truck % spec.partitions;
    let lat = 52 + random() * 0.08;
    let lon = 5 + random() * 0.08;
    let t = spec.startTime + Math.floor(random() * spec.intervalMs);
    for (let seq = 0; seq < spec.fixesPerTruck; seq++) {
      // some fixes exactly on a minute boundary, some at the same time as other trucks'
      if (random() < 0.1) t = Math.ceil(t / 60_000) * 60_000;
      lat = Math.min(52.1, Math.max(51.98, lat + (random() - 0.5) * 0.004));
      lon = Math.min(5.1, Math.max(4.98, lon + (random() - 0.5) * 0.004));
      const fix: TestFix = {
        truckId: `T${truck}`,
        seq,
        eventTime: t,
        lat: Math.round(lat * 1e6) / 1e6,
        lon: Math.round(lon * 1e6) / 1e6,
        speedKmh: Math.round(random() * 1400) / 10,
        headingDeg: Math.floor(random() * 360),
      };
      const copies = random() < spec.duplicateRate ? 2 : 1;
      for (let c = 0; c < copies; c++) {
        const late = random() < spec.lateRate;
        const delay = late
          ? spec.lateDelayMs * (1 + random())
          : Math.floor(random() * (spec.maxDelayMs + 1));
        byPartition[partition]?.push({
          arrival: t + Math.floor(delay),
          order: order++,
          record: { partition, fix: c === 0 ? fix : { ...fix } },
        });
      }
      t += 1 + Math.floor(random() * spec.intervalMs);
    }
  }
  const merged = byPartition.flat().sort((a, b) => a.arrival - b.arrival || a.order - b.order);
  return {
    records: merged.map((m) => m.record),
    delays: merged.map((m) => m.arrival - m.record.fix.eventTime),
  };
}

/**
 * What the processor keeps in PostgreSQL for one partition's windows state, kept in memory as
 * JSON text (what the state table gives back): per truck, and the partition's own under "".
 */
export class MemoryStateStore {
  readonly rows = new Map<string, string>();

  checkpoint(changes: {
    trucks: [string, TruckWindowState | undefined][];
    partition: PartitionWindowState | undefined;
  }): void {
    for (const [truckId, state] of changes.trucks) {
      if (state === undefined) this.rows.delete(truckId);
      else this.rows.set(truckId, JSON.stringify(state));
    }
    if (changes.partition) this.rows.set("", encodePartition(changes.partition));
  }

  partition(): PartitionWindowState {
    const text = this.rows.get("");
    return text === undefined
      ? {
          watermark: Number.NEGATIVE_INFINITY,
          maxEventTime: Number.NEGATIVE_INFINITY,
          lateCount: 0,
          duplicateCount: 0,
          partials: [],
        }
      : decodePartition(text);
  }

  *trucks(): Iterable<[string, TruckWindowState]> {
    for (const [key, text] of this.rows)
      if (key !== "") yield [key, JSON.parse(text) as TruckWindowState];
  }
}

/** JSON of a partition state (-Infinity, before the first fix, as null). */
export function encodePartition(state: PartitionWindowState): string {
  const finite = (x: number) => (Number.isFinite(x) ? x : null);
  return JSON.stringify({
    ...state,
    watermark: finite(state.watermark),
    maxEventTime: finite(state.maxEventTime),
  });
}

export function decodePartition(text: string): PartitionWindowState {
  const raw = JSON.parse(text) as Omit<PartitionWindowState, "watermark" | "maxEventTime"> & {
    watermark: number | null;
    maxEventTime: number | null;
  };
  return {
    ...raw,
    watermark: raw.watermark ?? Number.NEGATIVE_INFINITY,
    maxEventTime: raw.maxEventTime ?? Number.NEGATIVE_INFINITY,
  };
}

export interface HarnessOutput {
  /** Last emitted value of every truck window. */
  windows: Map<string, TruckWindowResult>;
  /** How many times each window was emitted as final. */
  finals: Map<string, number>;
  /** Windows emitted again after their final. */
  afterFinal: string[];
  /** Latest partial per window and partition. */
  partials: ScopePartial[];
  late: LateFix<TestFix>[];
  duplicates: number;
  watermarks: Map<number, number>;
}

/**
 * Runs every partition through PartitionWindows in random batches, checkpointing after a batch
 * with probability `checkpointRate` (default 0.5): the state changes go to the store and the
 * outputs since the previous checkpoint become part of the result. With `crashRate` > 0 the
 * engine is thrown away after some batches (outputs since the last checkpoint lost) and a new
 * one restored from the store replays the input from the checkpoint, as the processor does.
 */
export function runPartitions(
  records: readonly OracleRecord<TestFix>[],
  plan: WindowPlan,
  lookup: ZoneLookup,
  options: { seed: number; maxBatch: number; crashRate?: number; checkpointRate?: number },
): HarnessOutput {
  const random = seededRandom(options.seed);
  const checkpointRate = options.checkpointRate ?? 0.5;
  const byPartition = new Map<number, { fix: TestFix; offset: number }[]>();
  for (const { partition, fix } of records) {
    const list = byPartition.get(partition) ?? [];
    list.push({ fix, offset: list.length });
    byPartition.set(partition, list);
  }
  const output: HarnessOutput = {
    windows: new Map(),
    finals: new Map(),
    afterFinal: [],
    partials: [],
    late: [],
    duplicates: 0,
    watermarks: new Map(),
  };
  interface Pending {
    windows: TruckWindowResult[];
    partials: ScopePartial[];
    late: LateFix<TestFix>[];
    duplicates: number;
  }
  for (const [partition, fixes] of byPartition) {
    const store = new MemoryStateStore();
    let engine = createPartitionWindows<TestFix>(plan, lookup);
    const partials = new Map<string, ScopePartial>();
    let pending: Pending[] = [];
    let checkpointAt = 0;
    const checkpoint = (at: number) => {
      store.checkpoint(engine.takeStateChanges());
      for (const batch of pending) {
        for (const w of batch.windows) {
          const key = truckWindowKey(w);
          if (output.finals.has(key)) output.afterFinal.push(key);
          output.windows.set(key, w);
          if (w.final) output.finals.set(key, (output.finals.get(key) ?? 0) + 1);
        }
        for (const p of batch.partials) partials.set(scopeWindowKey(p), p);
        output.late.push(...batch.late);
        output.duplicates += batch.duplicates;
      }
      pending = [];
      checkpointAt = at;
    };
    for (let at = 0; at < fixes.length; ) {
      const size = 1 + Math.floor(random() * options.maxBatch);
      const result = engine.process(fixes.slice(at, at + size));
      at = Math.min(fixes.length, at + size);
      pending.push({
        windows: result.windows.toArray(),
        partials: result.partials.map(({ changed: _changed, ...p }) => p),
        late: [...result.late],
        duplicates: result.duplicates,
      });
      if (at === fixes.length || random() < checkpointRate) checkpoint(at);
      if (at < fixes.length && options.crashRate && random() < options.crashRate) {
        pending = [];
        engine = createPartitionWindows<TestFix>(plan, lookup);
        engine.restore(store.partition(), store.trucks());
        at = checkpointAt;
      }
    }
    output.partials.push(...partials.values());
    output.watermarks.set(partition, store.partition().watermark);
  }
  return output;
}
