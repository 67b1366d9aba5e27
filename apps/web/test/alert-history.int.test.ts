import { type Database, openDatabase } from "@fleetstream/db";
import { scratchDatabases } from "@fleetstream/db/testing";
import { InMemoryEventLog } from "@fleetstream/eventlog";
import { createLogger } from "@fleetstream/service";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAlertsFeed } from "../src/server/feeds/alerts";
import { alertsApi } from "../src/server/http/alerts";
import { alertId, type SeedAlert, seedAlerts } from "./seed";

// The alert history endpoint on the real PostgreSQL: cursor pages neither skip nor repeat rows
// while the processor keeps inserting alerts (newer ones, older late ones, and ones with the
// same event time as the page boundary).

const scratch = scratchDatabases();
let db: Database;
let api: ReturnType<typeof alertsApi>;
const T0 = Date.UTC(2026, 11, 1, 10);

beforeAll(async () => {
  db = await openDatabase({ url: await scratch.create() });
  await db.migrate();
  const feed = createAlertsFeed({
    eventLog: new InMemoryEventLog(),
    logger: createLogger("test", "silent"),
    partitions: 1,
  });
  api = alertsApi({ prisma: () => db.prisma, feed });
});

afterAll(async () => {
  await db?.close();
  await scratch.dropAll();
});

interface Page {
  alerts: { id: string; eventTime: number }[];
  next: string | null;
}

const page = async (query: string): Promise<Page> => {
  const response = await api.list(new Request(`http://test/api/alerts?${query}`));
  expect(response.status).toBe(200);
  return (await response.json()) as Page;
};

describe("alert history pagination", () => {
  it("returns every row present at the start exactly once while rows are inserted", async () => {
    // 60 alerts; every third event time is shared by two trucks (ties ordered by id).
    const original: SeedAlert[] = [];
    for (let i = 0; i < 60; i++) {
      const eventTime = T0 + Math.floor(i / 2) * 1_000;
      original.push({
        truckId: `T-${String(i).padStart(3, "0")}`,
        geofenceId: "f",
        kind: "ENTER",
        eventTime,
      });
    }
    const originalIds = new Set(await seedAlerts(db.prisma, original));

    const seen: string[] = [];
    let previous: { eventTime: number; id: string } | undefined;
    let cursor: string | null = null;
    let inserted = 0;
    for (let round = 0; round < 100; round++) {
      const query: string = `limit=7${cursor ? `&before=${cursor}` : ""}`;
      // A page request and the processor's inserts at the same time.
      const last = previous;
      const concurrent: SeedAlert[] = [
        { truckId: `N-${round}`, geofenceId: "f", kind: "EXIT", eventTime: T0 + 3_600_000 + round },
        ...(last
          ? [
              {
                truckId: `L-${round}`,
                geofenceId: "f",
                kind: "EXIT" as const,
                eventTime: last.eventTime - 1,
              },
              {
                truckId: `S-${round}`,
                geofenceId: "f",
                kind: "DWELL" as const,
                eventTime: last.eventTime,
              },
            ]
          : []),
      ];
      const [result] = await Promise.all([page(query), seedAlerts(db.prisma, concurrent)]);
      inserted += concurrent.length;
      for (const alert of result.alerts) {
        // Strictly descending by (event time, id): the order the cursor continues.
        if (previous) {
          const before =
            alert.eventTime < previous.eventTime ||
            (alert.eventTime === previous.eventTime && alert.id < previous.id);
          expect(before, `${alert.id} after ${previous.id}`).toBe(true);
        }
        previous = { eventTime: alert.eventTime, id: alert.id };
        seen.push(alert.id);
      }
      cursor = result.next;
      if (!cursor) break;
    }

    expect(inserted).toBeGreaterThan(20);
    expect(new Set(seen).size).toBe(seen.length); // nothing repeated
    for (const id of originalIds) expect(seen).toContain(id); // nothing skipped
    expect(seen).not.toContain(
      alertId({ truckId: "N-1", geofenceId: "f", kind: "EXIT", eventTime: T0 + 3_600_001 }),
    );
  });
});
