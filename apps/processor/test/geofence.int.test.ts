import { randomBytes } from "node:crypto";
import {
  type GeofenceAlert as Alert,
  GeofenceAlert,
  type GpsFix,
  TOPICS,
} from "@fleetstream/contracts";
import { type Database, openDatabase } from "@fleetstream/db";
import { scratchDatabases } from "@fleetstream/db/testing";
import { type Consumer, createEventLog, type EventLog } from "@fleetstream/eventlog";
import { createLogger, type Service } from "@fleetstream/service";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  createGeofenceOperator,
  createGeofenceRegistry,
  type GeofenceRegistry,
} from "../src/geofence";
import { createProcessor } from "../src/processor";
import {
  brokers,
  deleteGeofences,
  geofence,
  metresToDeg,
  publishGeofences,
  seekGroupToEnd,
} from "./geofence-helpers";

// Geofence alerts on real parts: Kafka (infra/kafka.sh) and PostgreSQL (infra/postgres.sh).
// Trucks and fences are unique to this run; only their alerts are looked at.
const run = randomBytes(4).toString("hex");
const truck = (name: string) => `gf-${run}-${name}`;
const fenceId = (name: string) => `gf-${run}-${name}`;
const groupId = `it-geofence-${run}`;
const WAIT = { timeout: 30_000, interval: 200 };

// A place of its own per run, so other runs' fences are elsewhere.
const CENTER = { lat: 51 + Math.random(), lon: 4 + 2 * Math.random() };
const deg = metresToDeg(CENTER.lat);
/** A point `east` metres east (and `north` metres north) of the centre. */
const offset = (east: number, north = 0) => ({
  lat: CENTER.lat + deg.lat(north),
  lon: CENTER.lon + deg.lon(east),
});

const T0 = Date.now() - 3_600_000;

function fixAt(truckId: string, seq: number, seconds: number, east: number, north = 0): GpsFix {
  return {
    truckId,
    seq,
    ...offset(east, north),
    speedKmh: 40,
    headingDeg: 90,
    eventTime: T0 + seconds * 1000,
  };
}

describe("geofence alerts on real Kafka and PostgreSQL", () => {
  const scratch = scratchDatabases();
  const logger = createLogger("geofence-it", "warn");
  const seen: Alert[] = [];
  let db: Database;
  let eventLog: EventLog;
  let watcher: Consumer;
  let processor: Service | undefined;
  let registry: GeofenceRegistry;

  async function startProcessor(): Promise<void> {
    registry = createGeofenceRegistry({ eventLog, logger });
    const next = createProcessor({
      eventLog,
      db,
      logger,
      config: { groupId, partitions: TOPICS.gpsFixes.partitions, checkpointIntervalMs: 100 },
      operators: [createGeofenceOperator({ registry, logger })],
      onFatal: (error) => logger.error({ err: error }, "processor failed"),
    });
    await next.start();
    processor = next;
  }

  async function send(fixes: readonly GpsFix[]): Promise<void> {
    const producer = eventLog.producer();
    await producer.send(
      TOPICS.gpsFixes.name,
      fixes.map((f) => ({ key: f.truckId, value: JSON.stringify(f) })),
    );
    await producer.close();
  }

  const alertsOf = (truckId: string) =>
    db.prisma.geofenceAlert.findMany({ where: { truckId }, orderBy: { eventTime: "asc" } });

  /** Waits until the processor has stored every one of these fixes (then its alerts are in too). */
  async function processed(fixes: readonly GpsFix[]): Promise<void> {
    const ids = [...new Set(fixes.map((f) => f.truckId))];
    await vi.waitFor(async () => {
      const stored = await db.prisma.positionFix.count({ where: { truckId: { in: ids } } });
      expect(stored).toBe(fixes.length);
    }, WAIT);
  }

  beforeAll(async () => {
    db = await openDatabase({ url: await scratch.create() });
    await db.migrate();
    eventLog = createEventLog({ clientId: `it-${run}`, brokers });
    await eventLog.ensureTopics([TOPICS.gpsFixes, TOPICS.geofences, TOPICS.truckGeofenceAlerts]);
    await seekGroupToEnd(eventLog, groupId, TOPICS.gpsFixes.name);
    await publishGeofences(eventLog, [
      geofence(
        fenceId("depot"),
        { type: "Circle", center: [CENTER.lon, CENTER.lat], radiusM: 500 },
        T0,
        {
          dwellSeconds: 60,
        },
      ),
      geofence(
        fenceId("yard"),
        {
          type: "Polygon",
          coordinates: [
            [
              [offset(2_000, -300).lon, offset(2_000, -300).lat],
              [offset(2_600, -300).lon, offset(2_600, -300).lat],
              [offset(2_600, 300).lon, offset(2_600, 300).lat],
              [offset(2_000, 300).lon, offset(2_000, 300).lat],
              [offset(2_000, -300).lon, offset(2_000, -300).lat],
            ],
          ],
        },
        T0,
        { debounce: { fixes: 0, seconds: 0 } },
      ),
    ]);
    watcher = eventLog.consumer({
      groupId: `it-geofence-watch-${run}`,
      topics: [TOPICS.truckGeofenceAlerts.name],
      startFrom: "latest",
      eachBatch: async (batch) => {
        for (const record of batch.records) {
          if (record.key?.startsWith(`gf-${run}-`)) {
            seen.push(GeofenceAlert.parse(JSON.parse(String(record.value))));
          }
        }
      },
    });
    await watcher.start();
    await startProcessor();
  });

  afterAll(async () => {
    await watcher?.stop();
    await processor?.stop();
    await deleteGeofences(eventLog, [fenceId("depot"), fenceId("yard")], Date.now()).catch(
      () => {},
    );
    await eventLog?.close();
    await db?.close();
    await scratch.dropAll();
  });

  it("a truck driven through a fence gives exactly ENTER, DWELL, EXIT in order", async () => {
    // 10 s apart: 3 fixes outside, inside for 2 min (> 60 s dwell), then out. GPS drift at the
    // edge (one fix out while inside, one in while leaving) raises nothing and restarts the count.
    const east = [
      -900, -700, -550, -400, -200, 0, 200, 510, 300, 100, -100, -300, -400, 420, 480, 600, 800,
      450, 1_000, 1_200, 1_400, 1_600,
    ];
    const fixes = east.map((m, i) => fixAt(truck("a"), i + 1, 60 + i * 10, m));
    await send(fixes);
    await processed(fixes);
    const alerts = (await alertsOf(truck("a"))).filter((a) => a.geofenceId === fenceId("depot"));
    expect(alerts.map((a) => a.kind)).toEqual(["ENTER", "DWELL", "EXIT"]);
    const [enter, dwell, exit] = alerts;
    // ENTER confirmed by the 3rd fix inside (and 20 s), since the first one.
    expect(enter?.since.getTime()).toBe(T0 + 90_000);
    expect(enter?.eventTime.getTime()).toBe(T0 + 110_000);
    expect(dwell?.eventTime.getTime()).toBe(T0 + 150_000);
    expect(exit?.since.getTime()).toBe(T0 + 240_000);
    expect(exit?.eventTime.getTime()).toBe(T0 + 260_000);
    // The same alerts went to truck_geofence_alerts, keyed by truck.
    await vi.waitFor(() => {
      const ids = seen.filter((a) => a.truckId === truck("a")).map((a) => a.id);
      expect(new Set(ids)).toEqual(new Set(alerts.map((a) => a.id)));
    }, WAIT);
  });

  it("ignores a duplicate and an older fix, and raises no false ENTER after a restart", async () => {
    const first = [fixAt(truck("b"), 1, 60, 2_300, -1_200), fixAt(truck("b"), 2, 70, 2_300)];
    // duplicate of seq 2, then an older fix inside "depot" that must not count
    await send([...first, first[1] as GpsFix, fixAt(truck("b"), 3, 65, 0)]);
    await vi.waitFor(async () => {
      expect((await alertsOf(truck("b"))).map((a) => a.kind)).toEqual(["ENTER"]);
    }, WAIT);
    // Restart: a new processor instance restores the truck's state from PostgreSQL.
    await processor?.stop();
    processor = undefined;
    await startProcessor();
    const later = [
      fixAt(truck("b"), 4, 80, 2_200),
      fixAt(truck("b"), 5, 90, 2_400),
      fixAt(truck("b"), 6, 100, 3_000),
    ];
    await send(later);
    await processed([...first, fixAt(truck("b"), 3, 65, 0), ...later]);
    const alerts = await alertsOf(truck("b"));
    expect(alerts.map((a) => `${a.kind}:${a.geofenceId}`)).toEqual([
      `ENTER:${fenceId("yard")}`,
      `EXIT:${fenceId("yard")}`,
    ]);
  });

  it("applies a geofence change live to fixes after it, and a delete", async () => {
    const changedAt = T0 + 1_000_000;
    // v2 moves "depot" 5 km north, with no debounce.
    await publishGeofences(eventLog, [
      geofence(
        fenceId("depot"),
        { type: "Circle", center: [offset(0, 5_000).lon, offset(0, 5_000).lat], radiusM: 500 },
        changedAt,
        { version: 2, debounce: { fixes: 0, seconds: 0 } },
      ),
    ]);
    await vi.waitFor(
      () => expect(registry.index.versionAt(fenceId("depot"), changedAt)?.version).toBe(2),
      WAIT,
    );
    const s = 1_000 + 60; // seconds after T0, after the change
    const moved = [
      fixAt(truck("c"), 1, s, 0, 4_000),
      fixAt(truck("c"), 2, s + 10, 0, 5_000),
      fixAt(truck("c"), 3, s + 20, 0, 6_000),
    ];
    const old = [
      fixAt(truck("d"), 1, s, -900),
      fixAt(truck("d"), 2, s + 10, 0),
      fixAt(truck("d"), 3, s + 20, 900),
    ];
    await send([...moved, ...old]);
    await processed([...moved, ...old]);
    expect((await alertsOf(truck("c"))).map((a) => `${a.kind}:v${a.geofenceVersion}`)).toEqual([
      "ENTER:v2",
      "EXIT:v2",
    ]);
    expect(await alertsOf(truck("d"))).toEqual([]);

    const deletedAt = T0 + 2_000_000;
    await deleteGeofences(eventLog, [fenceId("depot")], deletedAt);
    await vi.waitFor(
      () => expect(registry.index.versionAt(fenceId("depot"), deletedAt)).toBeUndefined(),
      WAIT,
    );
    const afterDelete = [2_060, 2_070, 2_080].map((sec, i) =>
      fixAt(truck("e"), i + 1, sec, 0, 4_000 + i * 1_000),
    );
    await send(afterDelete);
    await processed(afterDelete);
    expect(await alertsOf(truck("e"))).toEqual([]);
  });
});
