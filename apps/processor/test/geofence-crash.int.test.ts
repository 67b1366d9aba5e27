import { randomBytes } from "node:crypto";
import { TOPICS } from "@fleetstream/contracts";
import { type Database, openDatabase } from "@fleetstream/db";
import { scratchDatabases } from "@fleetstream/db/testing";
import { createEventLog, type EventLog } from "@fleetstream/eventlog";
import { seededRandom } from "@fleetstream/geofence/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { deleteGeofences, publishGeofences } from "./geofence-helpers";
import { geofenceScenario, type Scenario } from "./geofence-scenario";
import { brokers, type ProcessorProcess, seekGroupToEnd, startProcessorProcess } from "./support";

// The crash test: the processor runs as its own process (`node --import tsx src/main.ts`) and
// is killed with SIGKILL at random moments while a seeded simulator run with duplicates and
// reordering flows into Kafka; each time it is restarted. At the end PostgreSQL must hold every
// alert the pure state machine expects for the same input, exactly once, and nothing else.

const SEED = 20_261_122;
const KILLS = 3;
const run = randomBytes(4).toString("hex");
const prefix = `gc-${run}-`;
const groupId = `it-geofence-crash-${run}`;
const gpsTopic = TOPICS.gpsFixes.name;

describe("geofence alerts survive SIGKILL of the processor", () => {
  const scratch = scratchDatabases();
  let databaseUrl: string;
  let db: Database;
  let eventLog: EventLog;
  let scenario: Scenario;
  let child: ProcessorProcess | undefined;
  const logs: string[] = [];

  function startChild(): ProcessorProcess {
    child = startProcessorProcess(
      // State snapshots during the run: each SIGKILL then replays part of the input for state only.
      {
        DATABASE_URL: databaseUrl,
        PROCESSOR_GROUP_ID: groupId,
        PROCESSOR_STATE_INTERVAL_MS: "1500",
      },
      (chunk) => {
        logs.push(chunk.toString());
        if (logs.length > 200) logs.shift();
      },
    );
    const { child: proc } = child;
    proc.once("exit", (code, signal) =>
      logs.push(`[processor exited: code ${code}, signal ${signal}]\n`),
    );
    return child;
  }

  /** Records of the GPS topic this run's group has applied (checkpoints in PostgreSQL). */
  async function applied(starts: Map<number, number>): Promise<Map<number, number>> {
    const rows = await db.prisma.processorCheckpoint.findMany({
      where: { groupId, topic: gpsTopic },
    });
    const result = new Map<number, number>();
    for (const [partition, start] of starts) result.set(partition, start);
    for (const row of rows) result.set(row.partition, Number(row.nextOffset));
    return result;
  }

  /** Waits for a condition; on timeout the error carries the processor's last output. */
  async function until(condition: () => Promise<void>): Promise<void> {
    await vi.waitFor(condition, { timeout: 60_000, interval: 50 }).catch((error: unknown) => {
      throw new Error(`${String(error)}\nprocessor output:\n${logs.slice(-30).join("")}`, {
        cause: error,
      });
    });
  }

  const total = (offsets: Map<number, number>, starts: Map<number, number>) =>
    [...offsets].reduce((sum, [p, next]) => sum + next - (starts.get(p) ?? 0), 0);

  beforeAll(async () => {
    scenario = geofenceScenario({
      prefix,
      seed: SEED,
      trucks: 24,
      fixes: 7_200,
      startTime: Date.UTC(2026, 0, 5, 8),
    });
    databaseUrl = await scratch.create();
    db = await openDatabase({ url: databaseUrl });
    await db.migrate();
    eventLog = createEventLog({ clientId: `it-${run}`, brokers });
    await eventLog.ensureTopics([TOPICS.gpsFixes, TOPICS.truckGeofenceAlerts]);
    await publishGeofences(eventLog, scenario.fences);
  });

  afterAll(async () => {
    await child?.kill("SIGTERM");
    await deleteGeofences(
      eventLog,
      scenario.fences.map((f) => f.id),
      0, // valid never: a later run's fixes of these event times must not match them
    ).catch(() => {});
    await eventLog?.close();
    await db?.close();
    await scratch.dropAll();
  });

  it("finds every expected alert exactly once in PostgreSQL after 3 SIGKILLs and restarts", async () => {
    const starts = await seekGroupToEnd(eventLog, groupId, gpsTopic);
    const alertWatch = `${groupId}-watch`;
    await seekGroupToEnd(eventLog, alertWatch, TOPICS.truckGeofenceAlerts.name);
    const onTopic: string[] = [];
    const ours = new Set(scenario.fences.map((f) => f.id));
    const watcher = eventLog.consumer({
      groupId: alertWatch,
      topics: [TOPICS.truckGeofenceAlerts.name],
      eachBatch: async (batch) => {
        for (const r of batch.records) {
          if (!r.key?.startsWith(prefix)) continue;
          // Only this run's fences: earlier runs' fences may still apply to these event times.
          const alert = JSON.parse(String(r.value)) as { id: string; geofenceId: string };
          if (ours.has(alert.geofenceId)) onTopic.push(alert.id);
        }
      },
    });
    await watcher.start();
    startChild();

    // Random kill moments, as counts of applied records (the processor's checkpoints).
    const rng = seededRandom(SEED ^ Number.parseInt(run, 16));
    const n = scenario.records.length;
    const moments = Array.from({ length: KILLS }, (_, i) =>
      Math.floor(n * (0.1 + (0.75 * (i + rng())) / KILLS)),
    );
    let produced = 0;

    // Producer: keeps at most ~1,500 records ahead of the processor, so records keep flowing
    // through every crash and restart.
    const producing = (async () => {
      const producer = eventLog.producer();
      for (let i = 0; i < n; i += 250) {
        await until(async () => {
          expect(total(await applied(starts), starts)).toBeGreaterThanOrEqual(produced - 1_500);
        });
        const chunk = scenario.records.slice(i, i + 250);
        await producer.send(gpsTopic, chunk);
        produced += chunk.length;
      }
      await producer.close();
    })();

    const killing = (async () => {
      for (const moment of moments) {
        await until(async () => {
          expect(total(await applied(starts), starts)).toBeGreaterThanOrEqual(moment);
        });
        await child?.kill("SIGKILL");
        startChild();
      }
    })();

    await Promise.all([producing, killing]);
    const ends = new Map((await eventLog.offsets(gpsTopic)).map((e) => [e.partition, e.high]));
    await until(async () => {
      const now = await applied(starts);
      for (const [partition, end] of ends) expect(now.get(partition)).toBeGreaterThanOrEqual(end);
    });

    const stored = await db.prisma.geofenceAlert.findMany({
      where: { geofenceId: { in: scenario.fences.map((f) => f.id) } },
      select: { id: true },
    });
    const storedIds = stored.map((a) => a.id).sort();
    expect(storedIds).toEqual([...scenario.expected].sort());

    // The topic has every alert at least once (batches replayed after a kill publish again).
    await vi.waitFor(() => expect(new Set(onTopic).size).toBe(scenario.expected.length), {
      timeout: 30_000,
      interval: 200,
    });
    await watcher.stop();
    expect(new Set(onTopic)).toEqual(new Set(scenario.expected));
    console.log(
      `geofence crash test: ${n} records (${scenario.duplicates} duplicates, ` +
        `${scenario.reordered} reordered), ${KILLS} SIGKILLs at ${moments.join(", ")} applied ` +
        `records, ${scenario.expected.length} expected alerts ${JSON.stringify(scenario.byKind)}, ` +
        `${storedIds.length} in PostgreSQL (each once), ${onTopic.length} on the topic ` +
        `(${onTopic.length - scenario.expected.length} repeats)`,
    );
  }, 180_000);
});
