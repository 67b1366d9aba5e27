import { randomBytes } from "node:crypto";
import { TOPICS } from "@fleetstream/contracts";
import { type Database, openDatabase } from "@fleetstream/db";
import { scratchDatabases } from "@fleetstream/db/testing";
import { createEventLog, type EventLog } from "@fleetstream/eventlog";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { deleteGeofences, publishGeofences } from "./geofence-helpers";
import { geofenceScenario, type Scenario } from "./geofence-scenario";
import {
  brokers,
  commitGroupOffsets,
  type ProcessorProcess,
  startProcessorProcess,
} from "./support";

// Scale-out by partitions: the same seeded input (duplicates, reordering, geofences on the
// trucks' way) applied by a group of processors with rebalances in the middle (run B: produced
// while it runs; a second processor joins, then the first is SIGKILLed and its partitions move to
// the second), and afterwards by one processor alone (run A). Both databases must hold the same
// fixes, trucks, alerts and windows.

const run = randomBytes(4).toString("hex");
const prefix = `rb-${run}-`;
const gpsTopic = TOPICS.gpsFixes.name;

interface Results {
  fixes: unknown[];
  trucks: unknown[];
  alerts: string[];
  truckWindows: unknown[];
  scopeWindows: {
    scopeId: string;
    windowStart: Date;
    fixCount: number;
    activeTrucks: number;
    speedingTrucks: number;
  }[];
  late: string[];
}

async function results(db: Database, fenceIds: string[]): Promise<Results> {
  const mine = { startsWith: prefix };
  const [fixes, trucks, alerts, truckWindows, scopeWindows, late] = await Promise.all([
    db.prisma.positionFix.findMany({
      where: { truckId: mine },
      orderBy: [{ truckId: "asc" }, { eventTime: "asc" }, { seq: "asc" }],
      omit: { receivedAt: true },
    }),
    db.prisma.truck.findMany({
      where: { id: mine },
      orderBy: { id: "asc" },
      omit: { updatedAt: true },
    }),
    db.prisma.geofenceAlert.findMany({
      where: { geofenceId: { in: fenceIds } },
      select: { id: true },
    }),
    db.prisma.truckSpeedWindow.findMany({
      where: { truckId: mine },
      orderBy: [{ truckId: "asc" }, { windowStart: "asc" }, { sizeMs: "asc" }],
      omit: { updatedAt: true },
    }),
    db.prisma.scopeSpeedWindow.findMany({
      where: { scopeType: "geofence", scopeId: { in: fenceIds } },
      orderBy: [{ scopeId: "asc" }, { windowStart: "asc" }],
      select: {
        scopeId: true,
        windowStart: true,
        fixCount: true,
        activeTrucks: true,
        speedingTrucks: true,
        speedSumKmh: true,
      },
    }),
    db.prisma.speedWindowLateFix.findMany({
      where: { truckId: mine },
      select: { truckId: true, seq: true, reason: true },
    }),
  ]);
  return {
    fixes,
    trucks,
    alerts: alerts.map((a) => a.id).sort(),
    truckWindows,
    scopeWindows,
    late: late.map((l) => `${l.truckId}|${l.seq}|${l.reason}`).sort(),
  };
}

describe("processors sharing the partitions of one group", () => {
  const scratch = scratchDatabases();
  const children: ProcessorProcess[] = [];
  const logs: string[] = [];
  let eventLog: EventLog;
  let scenario: Scenario;
  let start: { partition: number; high: number }[];
  let ends: Map<number, number>;
  let grouped: Results;

  /** How often each processor logged "partitions assigned". */
  const assignments = new Map<string, number>();
  const capture = (name: string) => (chunk: Buffer) => {
    const text = chunk.toString();
    const assigned = text.split("partitions assigned").length - 1;
    if (assigned > 0) assignments.set(name, (assignments.get(name) ?? 0) + assigned);
    logs.push(`[${name}] ${text}`);
    if (logs.length > 300) logs.shift();
  };

  function processor(name: string, url: string, groupId: string): ProcessorProcess {
    const child = startProcessorProcess(
      {
        DATABASE_URL: url,
        PROCESSOR_GROUP_ID: groupId,
        WINDOW_TICK_MS: "200",
        // No idle rule: which fleet/geofence windows a late partition still reaches would
        // depend on timing; without it the windows depend on the input only.
        WINDOW_IDLE_TIMEOUT_MS: "3600000",
        LOG_LEVEL: "info",
      },
      capture(name),
    );
    children.push(child);
    return child;
  }

  async function applied(db: Database, groupId: string): Promise<Map<number, number>> {
    const rows = await db.prisma.processorCheckpoint.findMany({
      where: { groupId, topic: gpsTopic },
    });
    return new Map(rows.map((r) => [r.partition, Number(r.nextOffset)]));
  }

  const progress = (at: Map<number, number>) =>
    start.reduce(
      (sum, { partition, high }) => sum + Math.max(0, (at.get(partition) ?? high) - high),
      0,
    );

  async function until(condition: () => Promise<void>, timeout = 90_000): Promise<void> {
    await vi.waitFor(condition, { timeout, interval: 100 }).catch((error: unknown) => {
      throw new Error(`${String(error)}\nprocessor output:\n${logs.slice(-40).join("")}`, {
        cause: error,
      });
    });
  }

  /** Every record applied, and the fleet/geofence combiner has summed and published it all. */
  async function allApplied(db: Database, groupId: string): Promise<void> {
    await until(async () => {
      const at = await applied(db, groupId);
      for (const [partition, end] of ends)
        expect(at.get(partition) ?? 0).toBeGreaterThanOrEqual(end);
      expect(await db.prisma.scopeSpeedWindowPartial.count({ where: { dirty: true } })).toBe(0);
      expect(await db.prisma.scopeSpeedWindow.count({ where: { pending: true } })).toBe(0);
    });
  }

  beforeAll(async () => {
    scenario = geofenceScenario({
      prefix,
      seed: 20_261_201,
      trucks: 30,
      fixes: 6_000,
      startTime: Date.UTC(2026, 5, 1, 7),
    });
    eventLog = createEventLog({ clientId: `rb-${run}`, brokers });
    await eventLog.ensureTopics([TOPICS.gpsFixes, TOPICS.geofences]);
    await publishGeofences(eventLog, scenario.fences);
    start = await eventLog.offsets(gpsTopic);
  });

  afterAll(async () => {
    for (const child of children) await child.kill("SIGKILL");
    await deleteGeofences(
      eventLog,
      scenario.fences.map((f) => f.id),
      0, // valid never: a later run's fixes of these event times must not match them
    ).catch(() => {});
    await eventLog?.close();
    await scratch.dropAll();
  });

  it("run B: a second processor joins, the first is SIGKILLed, all while input arrives", async () => {
    const groupId = `rb-${run}-group`;
    await commitGroupOffsets(groupId, gpsTopic, start);
    const url = await scratch.create();
    const db = await openDatabase({ url });
    try {
      await db.migrate();
      const first = processor("B1", url, groupId);
      const total = scenario.records.length;
      const producer = eventLog.producer();
      let produced = 0;
      const produceUpTo = async (share: number) => {
        const until = Math.floor(total * share);
        await producer.send(gpsTopic, scenario.records.slice(produced, until));
        produced = until;
      };
      const appliedAtLeast = (share: number) =>
        until(async () =>
          expect(progress(await applied(db, groupId))).toBeGreaterThanOrEqual(total * share),
        );
      // Input arrives in three steps, so each rebalance happens with input left to apply.
      await produceUpTo(0.3);
      await appliedAtLeast(0.25);
      const second = processor("B2", url, groupId);
      // The group splits: the second processor gets partitions of its own.
      await until(async () => expect(assignments.get("B2") ?? 0).toBeGreaterThanOrEqual(1));
      await produceUpTo(0.6);
      await appliedAtLeast(0.55);
      await first.kill("SIGKILL");
      // The first one's partitions move to the second once its session expires.
      await produceUpTo(1);
      await producer.close();
      ends = new Map((await eventLog.offsets(gpsTopic)).map((e) => [e.partition, e.high]));
      await allApplied(db, groupId);
      await second.kill("SIGTERM");
      grouped = await results(
        db,
        scenario.fences.map((f) => f.id),
      );
    } finally {
      await db.close();
    }
    expect(grouped.alerts).toEqual([...scenario.expected].sort());
    expect(grouped.fixes.length).toBe(scenario.records.length - scenario.duplicates);
    expect(grouped.truckWindows.length).toBeGreaterThan(0);
    // B2 took partitions twice: when it joined, and B1's after B1 was killed.
    expect(
      assignments.get("B2"),
      logs.filter((l) => /partition/.test(l)).join(""),
    ).toBeGreaterThanOrEqual(2);
  }, 240_000);

  it("run A: one processor alone over the same input leaves the same database", async () => {
    const groupId = `rb-${run}-one`;
    await commitGroupOffsets(groupId, gpsTopic, start);
    const url = await scratch.create();
    const db = await openDatabase({ url });
    try {
      const one = processor("A", url, groupId);
      await allApplied(db, groupId);
      await one.kill("SIGTERM");
      const alone = await results(
        db,
        scenario.fences.map((f) => f.id),
      );
      expect(grouped.alerts).toEqual(alone.alerts);
      expect(grouped.fixes).toEqual(alone.fixes);
      expect(grouped.trucks).toEqual(alone.trucks);
      expect(grouped.truckWindows).toEqual(alone.truckWindows);
      expect(grouped.scopeWindows).toEqual(alone.scopeWindows);
      expect(grouped.late).toEqual(alone.late);
      console.info("rebalance IT:", {
        records: scenario.records.length,
        alerts: alone.alerts.length,
        fixes: alone.fixes.length,
        truckWindows: alone.truckWindows.length,
        geofenceWindows: alone.scopeWindows.length,
      });
    } finally {
      await db.close();
    }
  }, 120_000);
});
