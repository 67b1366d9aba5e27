import { type GpsFix, TOPICS, type TruckSpeedWindow } from "@fleetstream/contracts";
import { type Database, openDatabase } from "@fleetstream/db";
import { InMemoryEventLog } from "@fleetstream/eventlog";
import { createLogger } from "@fleetstream/service";
import {
  bruteForceWindows,
  isEmitted,
  type OracleResult,
  planWindows,
  scopeWindowKey,
  truckWindowKey,
} from "@fleetstream/windows";
import { BAND_ZONES, generateStream, type TestFix } from "@fleetstream/windows/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkpointStore } from "../pipeline/checkpoints";
import {
  type AcceptedFix,
  type CheckpointRecord,
  encodedRecords,
  type StreamOperator,
} from "../pipeline/operator";
import { createSpeedWindowsOperator } from "./operator";

// The operator against the real schema on embedded PGlite, checkpointed as the processor does
// (outputs, state and offset in one transaction every few batches); thrown away half-way, after
// some batches that were never checkpointed, then restored from the database and fed the input
// after its checkpoint again; then the combiner's tick. The stored rows must equal the
// brute-force oracle over the same input.
const close = (a: number, b: number) =>
  Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
const START = Date.UTC(2035, 0, 1);
const PARTITIONS = 3;

describe("speed windows operator on PGlite", () => {
  let db: Database;
  const eventLog = new InMemoryEventLog();
  const logger = createLogger("test", "silent");
  const stream = generateStream({
    seed: 42,
    trucks: 12,
    partitions: PARTITIONS,
    fixesPerTruck: 40,
    intervalMs: 20_000,
    maxDelayMs: 60_000,
    lateRate: 0.04,
    lateDelayMs: 200_000,
    duplicateRate: 0.05,
    startTime: START,
  });
  const plan = planWindows();
  let oracle: OracleResult<TestFix>;
  type PublishedWindow = TruckSpeedWindow & { kind: "tumbling" | "hopping" };
  type WindowValues = Pick<
    TruckSpeedWindow,
    "final" | "fixCount" | "speedingCount" | "maxSpeedKmh" | "avgSpeedKmh" | "distanceM"
  >;
  /** The last value published to truck_speed_windows per window (committed checkpoints only). */
  const published = new Map<string, PublishedWindow>();
  const operator = (idleTimeoutMs: number) =>
    createSpeedWindowsOperator({
      eventLog,
      logger,
      groupId: "g1",
      lookup: BAND_ZONES,
      env: { WINDOW_IDLE_TIMEOUT_MS: idleTimeoutMs },
    });

  async function tick(op: StreamOperator) {
    const output = await op.tick?.(db);
    if (!output) throw new Error("the operator has no tick");
    await db.sql.transaction((tx) => output.persist(tx));
    return output.records;
  }

  const store = checkpointStore("g1", TOPICS.gpsFixes.name);

  /** Loads every partition into a new operator; returns each partition's checkpoint offset. */
  async function restored(op: StreamOperator): Promise<Map<number, number>> {
    const offsets = new Map<number, number>();
    for (let p = 0; p < PARTITIONS; p++) {
      const stored = await store.load(db.sql, p);
      op.restore(p, stored.state.get(op.name) ?? new Map());
      offsets.set(p, stored.nextOffset ?? 0);
    }
    return offsets;
  }

  /** The processor's checkpoint for one partition (one operator). */
  async function checkpoint(op: StreamOperator, partition: number, from: number, to: number) {
    const c = op.checkpoint(partition, { now: Date.now(), lag: 0 });
    for (const r of encodedRecords(c.records))
      if (r.topic === TOPICS.truckSpeedWindows.name) {
        const w = JSON.parse(r.value) as PublishedWindow;
        published.set(
          truckWindowKey({ truckId: w.truckId, kind: w.kind, start: w.windowStart }),
          w,
        );
      }
    const rows = new Map<string, string | undefined>();
    for (const key of c.changed) {
      const value = op.stateOf(partition, key);
      rows.set(key, value === undefined ? undefined : JSON.stringify({ [op.name]: value }));
    }
    await db.sql.transaction(async (tx) => {
      await c.persist(tx);
      await store.saveState(tx, partition, rows);
      await store.advance(tx, partition, from === 0 ? undefined : from, to, to);
    });
  }

  beforeAll(async () => {
    db = await openDatabase({ url: "pglite://memory" });
    await db.migrate();
    await eventLog.ensureTopics([{ ...TOPICS.gpsFixes, partitions: PARTITIONS }]);
    oracle = bruteForceWindows(stream.records, plan, BAND_ZONES);

    // Each partition's input in offset order.
    const input = new Map<number, AcceptedFix[]>();
    for (const { partition, fix } of stream.records) {
      const list = input.get(partition) ?? [];
      list.push({ fix: fix as unknown as GpsFix, partition, offset: list.length });
      input.set(partition, list);
    }
    // Batches of up to 25 records, partitions in turn; a checkpoint after every third batch of a
    // partition; after ~60% of the input the instance is lost (its uncheckpointed work too).
    const run = async (op: StreamOperator, next: Map<number, number>, stopAt: number) => {
      const applied = new Map(next);
      const batches = new Map<number, number>();
      let done = false;
      while (!done) {
        done = true;
        for (let p = 0; p < PARTITIONS; p++) {
          const fixes = input.get(p) ?? [];
          const at = next.get(p) ?? 0;
          if (at >= Math.min(fixes.length, stopAt)) continue;
          done = false;
          const batch = fixes.slice(at, at + 25);
          op.process(p, batch, { now: Date.now(), lag: 0 });
          next.set(p, at + batch.length);
          const n = (batches.get(p) ?? 0) + 1;
          batches.set(p, n);
          if (n % 3 === 0 || next.get(p) === fixes.length) {
            await checkpoint(op, p, applied.get(p) ?? 0, next.get(p) ?? 0);
            applied.set(p, next.get(p) ?? 0);
          }
        }
      }
    };
    const longest = Math.max(...[...input.values()].map((list) => list.length));
    const first = operator(60_000);
    await run(first, await restored(first), Math.floor(longest * 0.6));
    const second = operator(60_000); // a new instance: everything from the database
    await run(second, await restored(second), Number.POSITIVE_INFINITY);
    await tick(second);
  });
  afterAll(() => db?.close());

  /** The windows (stored or published) that differ from the oracle's. */
  const mismatches = (
    windows: { truckId: string; kind: string; start: number; end: number; w: WindowValues }[],
  ) =>
    windows.filter(({ truckId, kind, start, end, w }) => {
      const expected = oracle.truckWindows.get(
        truckWindowKey({ truckId, kind: kind as "tumbling" | "hopping", start }),
      );
      return !(
        expected &&
        expected.final === w.final &&
        expected.fixCount === w.fixCount &&
        expected.speedingCount === w.speedingCount &&
        expected.maxSpeedKmh === w.maxSpeedKmh &&
        expected.end === end &&
        close(expected.avgSpeedKmh, w.avgSpeedKmh) &&
        close(expected.distanceM, w.distanceM)
      );
    });

  it("publishes the oracle's truck windows: open tumbling ones early, every one when final", () => {
    // Tumbling windows early and final, hopping windows when final (isEmitted).
    expect(published.size).toBe([...oracle.truckWindows.values()].filter(isEmitted).length);
    const windows = [...published.values()].map((w) => ({
      truckId: w.truckId,
      kind: w.kind,
      start: w.windowStart,
      end: w.windowEnd,
      w,
    }));
    expect(mismatches(windows)).toEqual([]);
    expect(windows.some(({ w }) => w.final) && windows.some(({ w }) => !w.final)).toBe(true);
  });

  it("stores the oracle's final truck windows and no open one", async () => {
    const rows = await db.prisma.truckSpeedWindow.findMany();
    expect(rows.length).toBe([...oracle.truckWindows.values()].filter((w) => w.final).length);
    const windows = rows.map((row) => ({
      truckId: row.truckId,
      kind: row.kind,
      start: row.windowStart.getTime(),
      end: row.windowEnd.getTime(),
      w: row,
    }));
    expect(mismatches(windows)).toEqual([]);
    expect(rows.every((r) => r.final)).toBe(true);
  });

  it("stores every late fix once with its reason, and no duplicate counts twice", async () => {
    const late = await db.prisma.speedWindowLateFix.findMany();
    const keys = (list: { truckId: string; seq: number | bigint }[]) =>
      [...new Set(list.map((l) => `${l.truckId}|${l.seq}`))].sort();
    expect(keys(late)).toEqual(keys(oracle.late.map((l) => l.fix)));
    expect(oracle.late.length).toBeGreaterThan(0);
    expect(late.every((l) => l.reason === "window-closed")).toBe(true);
    const parts = await db.prisma.speedWindowPartition.findMany();
    expect(parts.reduce((n, p) => n + Number(p.lateCount), 0)).toBe(oracle.late.length);
    expect(parts.reduce((n, p) => n + Number(p.duplicateCount), 0)).toBe(oracle.duplicates);
  });

  it("sums partials into fleet and geofence windows, final up to the slowest partition", async () => {
    const rows = await db.prisma.scopeSpeedWindow.findMany();
    expect(rows.length).toBe(oracle.scopeWindows.size);
    const bad = rows.filter((row) => {
      const expected = oracle.scopeWindows.get(
        scopeWindowKey({
          scopeType: row.scopeType as "fleet" | "geofence",
          scopeId: row.scopeId,
          start: row.windowStart.getTime(),
        }),
      );
      return !(
        expected &&
        expected.final === row.final &&
        expected.fixCount === row.fixCount &&
        expected.activeTrucks === row.activeTrucks &&
        expected.speedingTrucks === row.speedingTrucks &&
        close(expected.avgSpeedKmh, row.avgSpeedKmh)
      );
    });
    expect(bad).toEqual([]);
    expect(rows.some((r) => r.scopeType === "geofence")).toBe(true);
    expect(await db.prisma.scopeSpeedWindow.count({ where: { pending: true } })).toBe(0);
  });

  it("finalizes the rest once every partition is idle (idle rule), publishing each change", async () => {
    const idle = operator(0);
    await restored(idle);
    const records = await tick(idle);
    const maxOracle = bruteForceWindows(stream.records, plan, BAND_ZONES, "max");
    const finals = await db.prisma.scopeSpeedWindow.findMany({ where: { final: true } });
    const expected = [...maxOracle.scopeWindows.values()].filter((w) => w.final);
    expect(finals.length).toBe(expected.length);
    expect(finals.length).toBeGreaterThan(
      [...oracle.scopeWindows.values()].filter((w) => w.final).length,
    );
    // exactly the windows that became final were published again, as final
    const published = records.map((r) => JSON.parse(r.value) as { final: boolean });
    expect(published.length).toBe(
      expected.length - [...oracle.scopeWindows.values()].filter((w) => w.final).length,
    );
    expect(published.every((r) => r.final)).toBe(true);
    expect(await tick(idle)).toEqual([]);
  });
});

describe("early (not final) tumbling windows while a partition works through a backlog", () => {
  const T = Date.UTC(2035, 5, 1, 12);
  const at = (seq: number, seconds: number, truckId = "E1"): AcceptedFix => ({
    fix: {
      truckId,
      seq,
      lat: 10,
      lon: -30,
      speedKmh: 50,
      headingDeg: 0,
      eventTime: T + seconds * 1000,
    } as GpsFix,
    partition: 0,
    offset: seq,
  });
  const operator = () =>
    createSpeedWindowsOperator({
      eventLog: new InMemoryEventLog(),
      logger: createLogger("test", "silent"),
      groupId: "g-early",
      lookup: BAND_ZONES,
      env: { WINDOW_EARLY_FIRE_MS: 10_000 },
    });
  const early = (records: CheckpointRecord[]) =>
    encodedRecords(records)
      .filter((r) => r.topic === TOPICS.truckSpeedWindows.name)
      .map((r) => JSON.parse(r.value) as { final: boolean; fixCount: number; kind: string });

  it("writes each window's value at most every WINDOW_EARLY_FIRE_MS while behind, all once caught up", () => {
    const op = operator();
    op.restore(0, new Map());
    op.process(0, [at(1, 1)], { now: 0, lag: 0 });
    expect(early(op.checkpoint(0, { now: 0, lag: 100 }).records)).toMatchObject([{ fixCount: 1 }]);
    op.process(0, [at(2, 21)], { now: 0, lag: 0 });
    // 5 s later, still behind: the window's new value waits.
    expect(early(op.checkpoint(0, { now: 5_000, lag: 100 }).records)).toEqual([]);
    op.process(0, [at(3, 41)], { now: 0, lag: 0 });
    // 10 s after its last write it goes out, with everything so far.
    expect(early(op.checkpoint(0, { now: 10_000, lag: 100 }).records)).toMatchObject([
      { fixCount: 3, final: false },
    ]);
    op.process(0, [at(4, 45)], { now: 0, lag: 0 });
    // Caught up: written at once.
    expect(early(op.checkpoint(0, { now: 11_000, lag: 0 }).records)).toMatchObject([
      { fixCount: 4 },
    ]);
    // The final value is never held back.
    op.process(0, [at(5, 200)], { now: 0, lag: 0 });
    const out = early(op.checkpoint(0, { now: 12_000, lag: 100 }).records);
    expect(out.filter((w) => w.final && w.kind === "tumbling")).toMatchObject([{ fixCount: 4 }]);
  });

  it("in a backlog writes a window that closes within WINDOW_EARLY_FIRE_MS only when final", () => {
    const op = operator();
    op.restore(0, new Map());
    const backlog = 5_000; // records behind: more than BACKLOG_RECORDS
    op.process(0, [at(1, 1), at(2, 21)], { now: 0, lag: backlog });
    expect(early(op.checkpoint(0, { now: 0, lag: backlog }).records)).toEqual([]);
    // The watermark passes the minute 4 s later: its one record is the final value.
    op.process(0, [at(3, 41), at(4, 200)], { now: 0, lag: backlog });
    const closed = early(op.checkpoint(0, { now: 4_000, lag: backlog }).records);
    expect(closed.filter((w) => w.kind === "tumbling")).toMatchObject([
      { fixCount: 3, final: true },
    ]);
    // The next minute's window waits too, but not longer than WINDOW_EARLY_FIRE_MS...
    op.process(0, [at(5, 220)], { now: 0, lag: backlog });
    expect(early(op.checkpoint(0, { now: 9_000, lag: backlog }).records)).toEqual([]);
    expect(early(op.checkpoint(0, { now: 14_000, lag: backlog }).records)).toMatchObject([
      { fixCount: 2, final: false },
    ]);
    // ...and once caught up, a change is written at once.
    op.process(0, [at(6, 230)], { now: 0, lag: 0 });
    expect(early(op.checkpoint(0, { now: 14_500, lag: 0 }).records)).toMatchObject([
      { fixCount: 3, final: false },
    ]);
  });

  it("writes a truck's new window at once and leaves its unchanged open one alone", () => {
    const op = operator();
    op.restore(0, new Map());
    op.process(0, [at(1, 1)], { now: 0, lag: 0 });
    expect(early(op.checkpoint(0, { now: 0, lag: 100 }).records)).toMatchObject([{ fixCount: 1 }]);
    // The next minute: a new window, while the first stays open (allowed lateness).
    op.process(0, [at(2, 65)], { now: 0, lag: 0 });
    expect(early(op.checkpoint(0, { now: 1_000, lag: 100 }).records)).toMatchObject([
      { fixCount: 1, final: false },
    ]);
    // Nothing changed since: nothing written, caught up or not.
    expect(early(op.checkpoint(0, { now: 20_000, lag: 0 }).records)).toEqual([]);
    op.process(0, [at(3, 70)], { now: 0, lag: 0 });
    expect(early(op.checkpoint(0, { now: 21_000, lag: 0 }).records)).toMatchObject([
      { fixCount: 2, final: false },
    ]);
  });

  it("owes every open window again after a restore (held-back values died with the old instance)", () => {
    const first = operator();
    first.restore(0, new Map());
    first.process(0, [at(1, 1), at(1, 1, "E2")], { now: 0, lag: 0 });
    const c = first.checkpoint(0, { now: 0, lag: 100 });
    const stored = new Map(
      [...c.changed].map((k) => [k, JSON.parse(JSON.stringify(first.stateOf(0, k)))]),
    );
    const second = operator();
    second.restore(0, stored);
    const again = early(second.checkpoint(0, { now: 1_000, lag: 100 }).records);
    expect(again.map((w) => w.fixCount)).toEqual([1, 1]);
  });
});
