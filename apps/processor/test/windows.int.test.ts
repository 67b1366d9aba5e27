import { randomBytes } from "node:crypto";
import {
  type GpsFix,
  LateGpsFix,
  ScopeSpeedWindow,
  TOPICS,
  TruckSpeedWindow,
} from "@fleetstream/contracts";
import { type Database, openDatabase } from "@fleetstream/db";
import { scratchDatabases } from "@fleetstream/db/testing";
import { type ConsumedRecord, createEventLog, type EventLog } from "@fleetstream/eventlog";
import {
  createEventStream,
  type Emission,
  NO_FAULTS,
  parseRouteFile,
  shuttlePlanner,
} from "@fleetstream/simulator";
import {
  bruteForceWindows,
  DEFAULT_WINDOW_CONFIG,
  NO_ZONES,
  type OracleRecord,
  type OracleResult,
  planWindows,
  scopeWindowKey,
  truckWindowKey,
} from "@fleetstream/windows";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { brokers, commitGroupOffsets, startProcessorProcess } from "./support";

// Speed windows end to end: a seeded simulator run with reordering, duplicates and late fixes on
// real Kafka, the processor as a child process (`tsx src/main.ts`) on a fresh PostgreSQL database;
// the stored windows are compared with the brute-force oracle over the same records. Run A goes
// through without a crash; run B is SIGKILLed in the middle and restarted.
//
// Isolation on the shared gps_location_trucks topic: each run's consumer group starts at the
// topic's end offsets taken before producing, truck ids carry a random run id, event times are
// in 2035 (other tests' fixes, near "now", arrive late or land in other windows), and the trucks
// drive in the middle of the Atlantic, where no test puts a geofence.

const run = randomBytes(4).toString("hex");
const START = Date.UTC(2035, 0, 1) + Math.floor(Math.random() * 300) * 86_400_000;
const SPEEDING_KMH = 70; // the simulated trucks drive up to ~85 km/h
const plan = planWindows({ ...DEFAULT_WINDOW_CONFIG, speedingThresholdKmh: SPEEDING_KMH });
const close = (a: number, b: number) =>
  Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

/** Seeded simulator records, truck ids and seqs renamed for this run (duplicates stay identical). */
function simulatedRecords(): Emission[] {
  const routes = {
    type: "FeatureCollection",
    features: [0, 1, 2, 3].map((i) => ({
      type: "Feature",
      properties: { name: `atlantic-${i}`, roadClass: i % 2 ? "motorway" : "primary" },
      geometry: {
        type: "LineString",
        coordinates: [
          [-30 - i * 0.2, 10],
          [-29.5 - i * 0.2, 10.3],
          [-29 - i * 0.2, 10.1],
        ],
      },
    })),
  };
  const stream = createEventStream({
    trucks: 40,
    intervalMs: 15_000,
    startTime: START,
    seed: 20_350_101,
    gpsNoiseM: 5,
    planner: shuttlePlanner(parseRouteFile(routes, "windows-it"), "windows-it"),
    faults: {
      ...NO_FAULTS,
      duplicateRate: 0.05,
      reorderRate: 0.2,
      reorderWindowMs: 50_000, // within bound + lateness (70 s): never late
      lateRate: 0.01,
      lateByMs: 5 * 60_000, // far beyond it: late
    },
    endTime: START + 15 * 60_000,
  });
  const seqBase = Math.floor(START / 1000);
  const records: Emission[] = [];
  for (let e = stream.next(); e; e = stream.next()) {
    const fix = JSON.parse(e.value ?? "null") as GpsFix;
    const renamed = { ...fix, truckId: `wit-${run}-${fix.truckId}`, seq: fix.seq - seqBase };
    records.push({ ...e, key: renamed.truckId, value: JSON.stringify(renamed) });
  }
  // One truck far ahead in event time, last: its partition's watermark runs 10 minutes ahead of
  // the others, so the min rule and the all-idle max rule finalize different fleet windows.
  const ahead: GpsFix = {
    truckId: `wit-${run}-ahead`,
    seq: 1,
    lat: 10,
    lon: -31,
    speedKmh: 50,
    headingDeg: 0,
    eventTime: START + 25 * 60_000,
  };
  records.push({ key: ahead.truckId, value: JSON.stringify(ahead), emitAt: ahead.eventTime });
  return records;
}

interface Produced {
  fix: GpsFix;
  partition: number;
  offset: number;
}

async function produce(eventLog: EventLog, records: Emission[]): Promise<Produced[]> {
  const producer = eventLog.producer();
  try {
    const sent = await producer.send(
      TOPICS.gpsFixes.name,
      records.map((r) => ({ key: r.key, value: r.value })),
    );
    return sent.map((s, i) => ({
      fix: JSON.parse(records[i]?.value ?? "null") as GpsFix,
      partition: s.partition,
      offset: s.offset,
    }));
  } finally {
    await producer.close();
  }
}

/** The processor as a separate process, like in production. */
function startProcessor(databaseUrl: string, groupId: string, idleTimeoutMs: number) {
  return startProcessorProcess(
    {
      DATABASE_URL: databaseUrl,
      PROCESSOR_GROUP_ID: groupId,
      WINDOW_TICK_MS: "200",
      WINDOW_IDLE_TIMEOUT_MS: String(idleTimeoutMs),
      // State snapshots during the run: a crash then replays part of the input for state only.
      PROCESSOR_STATE_INTERVAL_MS: "1500",
      SPEEDING_THRESHOLD_KMH: String(SPEEDING_KMH),
      // This run's fixes are dated 2035 (see above): accept event times that far ahead.
      PROCESSOR_MAX_EVENT_AHEAD_MS: String(20 * 365 * 86_400_000),
    },
    (chunk) => process.stderr.write(chunk),
  );
}

/** Next offset past this run's records, per partition. */
function lastOffsets(produced: readonly Produced[]): Map<number, number> {
  const last = new Map<number, number>();
  for (const p of produced)
    last.set(p.partition, Math.max(last.get(p.partition) ?? 0, p.offset + 1));
  return last;
}

async function applied(db: Database, groupId: string, until: Map<number, number>) {
  const rows = await db.prisma.processorCheckpoint.findMany({
    where: { groupId, topic: TOPICS.gpsFixes.name },
  });
  const at = new Map(rows.map((r) => [r.partition, Number(r.nextOffset)]));
  return [...until].every(([partition, offset]) => (at.get(partition) ?? 0) >= offset);
}

async function settled(
  db: Database,
  groupId: string,
  until: Map<number, number>,
  watermark: number,
) {
  expect(await applied(db, groupId, until)).toBe(true);
  expect(await db.prisma.scopeSpeedWindowPartial.count({ where: { dirty: true } })).toBe(0);
  expect(await db.prisma.scopeSpeedWindow.count({ where: { pending: true } })).toBe(0);
  const group = await db.prisma.speedWindowGroup.findUnique({ where: { groupId } });
  expect(Number(group?.processorWatermarkMs ?? Number.NaN)).toBeGreaterThanOrEqual(watermark);
}

interface Stored {
  truck: Awaited<ReturnType<Database["prisma"]["truckSpeedWindow"]["findMany"]>>;
  scope: Awaited<ReturnType<Database["prisma"]["scopeSpeedWindow"]["findMany"]>>;
  late: Awaited<ReturnType<Database["prisma"]["speedWindowLateFix"]["findMany"]>>;
}

async function stored(db: Database): Promise<Stored> {
  const mine = { startsWith: `wit-${run}-` };
  return {
    truck: await db.prisma.truckSpeedWindow.findMany({
      where: { truckId: mine },
      orderBy: [{ truckId: "asc" }, { windowStart: "asc" }, { sizeMs: "asc" }],
    }),
    scope: await db.prisma.scopeSpeedWindow.findMany({
      where: { windowStart: { gte: new Date(START - 3_600_000), lt: new Date(START + 3_600_000) } },
      orderBy: [{ scopeType: "asc" }, { scopeId: "asc" }, { windowStart: "asc" }],
    }),
    late: await db.prisma.speedWindowLateFix.findMany({ where: { truckId: mine } }),
  };
}

/** Every disagreement between the stored rows and the oracle. */
function compareWithOracle(rows: Stored, oracle: OracleResult<GpsFix>): string[] {
  const problems: string[] = [];
  for (const row of rows.truck) {
    const kind = row.kind as "tumbling" | "hopping";
    const key = truckWindowKey({ truckId: row.truckId, kind, start: row.windowStart.getTime() });
    const e = oracle.truckWindows.get(key);
    const same =
      e &&
      e.final === row.final &&
      e.fixCount === row.fixCount &&
      e.speedingCount === row.speedingCount &&
      e.maxSpeedKmh === row.maxSpeedKmh &&
      close(e.avgSpeedKmh, row.avgSpeedKmh) &&
      close(e.distanceM, row.distanceM);
    if (!same)
      problems.push(
        `truck window ${key}: stored ${JSON.stringify(row)}, oracle ${JSON.stringify(e)}`,
      );
  }
  // Stored: final windows only (open ones are on the topic).
  const finals = [...oracle.truckWindows.values()].filter((w) => w.final).length;
  if (rows.truck.length !== finals)
    problems.push(`${rows.truck.length} truck windows stored, oracle has ${finals} final`);
  for (const row of rows.scope) {
    const scopeType = row.scopeType as "fleet" | "geofence";
    const key = scopeWindowKey({
      scopeType,
      scopeId: row.scopeId,
      start: row.windowStart.getTime(),
    });
    const e = oracle.scopeWindows.get(key);
    const same =
      e &&
      e.final === row.final &&
      e.fixCount === row.fixCount &&
      e.activeTrucks === row.activeTrucks &&
      e.speedingTrucks === row.speedingTrucks &&
      close(e.avgSpeedKmh, row.avgSpeedKmh);
    if (!same)
      problems.push(
        `scope window ${key}: stored ${JSON.stringify(row)}, oracle ${JSON.stringify(e)}`,
      );
  }
  if (rows.scope.length !== oracle.scopeWindows.size)
    problems.push(
      `${rows.scope.length} fleet windows stored, oracle has ${oracle.scopeWindows.size}`,
    );
  const lateKeys = (list: { truckId: string; seq: number | bigint }[]) =>
    [...new Set(list.map((l) => `${l.truckId}|${l.seq}`))].sort();
  const expectedLate = lateKeys(oracle.late.map((l) => l.fix));
  if (JSON.stringify(lateKeys(rows.late)) !== JSON.stringify(expectedLate))
    problems.push(`late fixes differ: stored ${rows.late.length}, oracle ${expectedLate.length}`);
  return problems;
}

const counts = (rows: Stored) => ({
  truckWindows: rows.truck.length,
  truckFinal: rows.truck.filter((r) => r.final).length,
  fleetWindows: rows.scope.length,
  fleetFinal: rows.scope.filter((r) => r.final).length,
  late: rows.late.length,
});

describe("speed windows on real Kafka and PostgreSQL, against the oracle", () => {
  const scratch = scratchDatabases();
  const databases: Database[] = [];
  const children: { kill(signal: NodeJS.Signals): Promise<void> }[] = [];
  let eventLog: EventLog;
  let records: Emission[];
  let start: { partition: number; high: number }[];
  let produced: Produced[] = [];
  let until: Map<number, number>;
  let oracleMin: OracleResult<GpsFix>;
  let oracleMax: OracleResult<GpsFix>;
  let crashRows: Stored;

  beforeAll(async () => {
    eventLog = createEventLog({ clientId: `wit-${run}`, brokers });
    await eventLog.ensureTopics([TOPICS.gpsFixes]);
    start = await eventLog.offsets(TOPICS.gpsFixes.name);
    records = simulatedRecords();
  });

  afterAll(async () => {
    for (const child of children) await child.kill("SIGKILL");
    for (const db of databases) await db.close();
    await eventLog?.close();
    await scratch.dropAll();
  });

  async function database(): Promise<{ url: string; db: Database }> {
    const url = await scratch.create();
    const db = await openDatabase({ url });
    databases.push(db);
    return { url, db };
  }

  it("run B: SIGKILL in the middle, restart; stored windows equal the oracle", async () => {
    const groupId = `wit-${run}-crash`;
    await commitGroupOffsets(groupId, TOPICS.gpsFixes.name, start);
    const { url, db } = await database();
    // Idle timeout far above any pause here: the watermark is the min over partitions throughout.
    let processor = startProcessor(url, groupId, 120_000);
    children.push(processor);

    const half = Math.floor(records.length / 2);
    produced = await produce(eventLog, records.slice(0, half));
    const firstHalf = lastOffsets(produced);
    await vi.waitFor(async () => expect(await applied(db, groupId, firstHalf)).toBe(true), {
      timeout: 60_000,
      interval: 100,
    });
    produced.push(...(await produce(eventLog, records.slice(half, half + 400))));
    // Kill as soon as the second half is being applied (some batch of it committed).
    await vi.waitFor(
      async () => {
        const rows = await db.prisma.processorCheckpoint.findMany({ where: { groupId } });
        expect(rows.some((r) => Number(r.nextOffset) > (firstHalf.get(r.partition) ?? 0))).toBe(
          true,
        );
      },
      { timeout: 60_000, interval: 20 },
    );
    await processor.kill("SIGKILL");
    produced.push(...(await produce(eventLog, records.slice(half + 400))));

    until = lastOffsets(produced);
    expect([...until.keys()].length).toBe(start.length); // every partition has trucks of this run
    const input: OracleRecord<GpsFix>[] = [...produced]
      .sort((a, b) => a.partition - b.partition || a.offset - b.offset)
      .map(({ partition, fix }) => ({ partition, fix }));
    oracleMin = bruteForceWindows(input, plan, NO_ZONES, "min");
    oracleMax = bruteForceWindows(input, plan, NO_ZONES, "max");
    const minWatermark = Math.min(...oracleMin.watermarks.values());

    processor = startProcessor(url, groupId, 120_000);
    children.push(processor);
    await vi.waitFor(() => settled(db, groupId, until, minWatermark), {
      timeout: 90_000,
      interval: 200,
    });
    await processor.kill("SIGTERM");

    crashRows = await stored(db);
    expect(compareWithOracle(crashRows, oracleMin)).toEqual([]);
    expect(oracleMin.late.length).toBeGreaterThan(0);
    expect(oracleMin.duplicates).toBeGreaterThan(0);
    const dup = await db.prisma.speedWindowPartition.findMany({ where: { groupId } });
    expect(dup.reduce((n, p) => n + Number(p.duplicateCount), 0)).toBe(oracleMin.duplicates);
    console.info("windows IT, run B (SIGKILL + restart) vs oracle:", {
      records: produced.length,
      ...counts(crashRows),
      duplicates: oracleMin.duplicates,
      mismatches: 0,
    });
  });

  it("run A: no crash, idle rule at the end; same rows as run B, finalized up to the max", async () => {
    const groupId = `wit-${run}-clean`;
    await commitGroupOffsets(groupId, TOPICS.gpsFixes.name, start);
    const { url, db } = await database();
    // Everything the processor publishes from now on.
    const published: ConsumedRecord[] = [];
    const watcher = eventLog.consumer({
      groupId: `wit-${run}-watch`,
      topics: [TOPICS.truckSpeedWindows.name, TOPICS.scopeSpeedWindows.name, TOPICS.gpsLate.name],
      startFrom: "latest",
      eachBatch: async (batch) => {
        published.push(...batch.records);
      },
    });
    await watcher.start();
    const processor = startProcessor(url, groupId, 1_000);
    children.push(processor);
    // Once every partition is caught up and quiet for 1 s, the processor watermark is the max.
    const maxWatermark = Math.max(...oracleMax.watermarks.values());
    await vi.waitFor(() => settled(db, groupId, until, maxWatermark), {
      timeout: 90_000,
      interval: 200,
    });
    await processor.kill("SIGTERM");

    const cleanRows = await stored(db);
    expect(compareWithOracle(cleanRows, oracleMax)).toEqual([]);
    // The crashed run's truck windows are identical, column for column.
    const strip = ({ updatedAt: _u, ...row }: Stored["truck"][number]) => row;
    expect(crashRows.truck.map(strip)).toEqual(cleanRows.truck.map(strip));
    // Fleet windows: same values; run B finalized up to the min watermark, run A up to the max.
    const values = (rows: Stored["scope"]) =>
      rows.map(({ scopeId, windowStart, fixCount, activeTrucks, speedingTrucks, avgSpeedKmh }) => ({
        scopeId,
        windowStart,
        fixCount,
        activeTrucks,
        speedingTrucks,
        avgSpeedKmh,
      }));
    expect(values(crashRows.scope)).toEqual(values(cleanRows.scope));
    const finalIn = (rows: Stored["scope"]) =>
      rows.filter((r) => r.final).map((r) => r.windowStart.getTime());
    expect(finalIn(cleanRows.scope).length).toBeGreaterThan(finalIn(crashRows.scope).length);
    expect(finalIn(cleanRows.scope)).toEqual(expect.arrayContaining(finalIn(crashRows.scope)));

    // The topics carry the same finals (contract-valid JSON), and every late fix with its reason.
    const mine = (r: ConsumedRecord) => r.key?.startsWith(`wit-${run}-`) ?? false;
    const text = (r: ConsumedRecord) => String(r.value);
    await vi.waitFor(
      () => {
        const truckFinals = published
          .filter((r) => r.topic === TOPICS.truckSpeedWindows.name && mine(r))
          .map((r) => TruckSpeedWindow.parse(JSON.parse(text(r))))
          .filter((w) => w.final);
        const truckKeys = new Set(
          truckFinals.map((w) => `${w.truckId}|${w.windowStart}|${w.sizeMs}`),
        );
        expect(truckKeys.size).toBe(cleanRows.truck.filter((r) => r.final).length);
        const fleetFinals = published
          .filter((r) => r.topic === TOPICS.scopeSpeedWindows.name && r.key === "fleet")
          .map((r) => ScopeSpeedWindow.parse(JSON.parse(text(r))))
          .filter(
            (w) =>
              w.final && w.windowStart >= START - 3_600_000 && w.windowStart < START + 3_600_000,
          );
        expect(new Set(fleetFinals.map((w) => w.windowStart)).size).toBe(
          cleanRows.scope.filter((r) => r.final).length,
        );
        const late = published
          .filter((r) => r.topic === TOPICS.gpsLate.name && mine(r))
          .map((r) => LateGpsFix.parse(JSON.parse(text(r))));
        expect(new Set(late.map((l) => `${l.fix.truckId}|${l.fix.seq}`)).size).toBe(
          cleanRows.late.length,
        );
        expect(
          late.every((l) => l.reason === "window-closed" && l.detail.includes("watermark")),
        ).toBe(true);
      },
      { timeout: 30_000, interval: 250 },
    );
    await watcher.stop();
    // A published final carries the stored row's values.
    const finalRecord = published
      .filter((r) => r.topic === TOPICS.truckSpeedWindows.name && mine(r))
      .map((r) => TruckSpeedWindow.parse(JSON.parse(text(r))))
      .find((w) => w.final && w.kind === "hopping");
    const row = cleanRows.truck.find(
      (r) =>
        r.truckId === finalRecord?.truckId &&
        r.windowStart.getTime() === finalRecord.windowStart &&
        r.sizeMs === finalRecord.sizeMs,
    );
    expect({ fixCount: row?.fixCount, distanceM: row?.distanceM, final: row?.final }).toEqual({
      fixCount: finalRecord?.fixCount,
      distanceM: finalRecord?.distanceM,
      final: true,
    });
    console.info("windows IT, run A (no crash) vs oracle:", {
      ...counts(cleanRows),
      publishedRecords: published.length,
      mismatches: 0,
    });
  });
});
