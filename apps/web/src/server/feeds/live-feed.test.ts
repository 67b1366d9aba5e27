import { TOPICS, TruckPosition } from "@fleetstream/contracts";
import { InMemoryEventLog } from "@fleetstream/eventlog";
import { createLogger } from "@fleetstream/service";
import { describe, expect, it } from "vitest";
import { createTopicReader } from "./live-feed";

const logger = createLogger("test", "silent");
const position = (truckId: string, seq: number) => ({
  truckId,
  seq,
  lat: 52,
  lon: 5,
  speedKmh: 50,
  headingDeg: 90,
  eventTime: 1_800_000_000_000 + seq,
  processedAt: 1_800_000_000_000 + seq,
});

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

/** A reader of truck_positions alone (one partition) handing each position to `accept`. */
function positionsReader(
  eventLog: InMemoryEventLog,
  accept: (position: TruckPosition) => void,
  replayCheckMs?: number,
) {
  return createTopicReader("test", {
    eventLog,
    logger,
    partitions: 1,
    handlers: [{ spec: TOPICS.truckPositions, schema: TruckPosition, accept }],
    ...(replayCheckMs ? { replayCheckMs } : {}),
  });
}

describe("a live feed's topic reader", () => {
  it("counts applied and invalid records, and keeps reading past an invalid one", async () => {
    const eventLog = new InMemoryEventLog();
    const seen: string[] = [];
    const reader = positionsReader(eventLog, (p) => seen.push(p.truckId));
    await reader.start();
    await eventLog.producer().send(TOPICS.truckPositions.name, [
      { key: "T-1", value: JSON.stringify(position("T-1", 1)) },
      { key: "T-2", value: "{not json" },
      { key: "T-3", value: JSON.stringify(position("T-3", 2)) },
    ]);
    await until(() => seen.length === 2);
    expect(seen).toEqual(["T-1", "T-3"]);
    expect(reader.counts()).toEqual({ [TOPICS.truckPositions.name]: { applied: 2, skipped: 1 } });
    expect(reader.health()).toEqual({ ok: true });
    await reader.stop();
  });

  it("turns unhealthy, naming why, when its reader stops on an error", async () => {
    const eventLog = new InMemoryEventLog();
    const reader = positionsReader(eventLog, () => {
      throw new Error("view exploded");
    });
    expect(reader.health()).toEqual({ ok: false, detail: "not started" });
    await reader.start();
    await eventLog
      .producer()
      .send(TOPICS.truckPositions.name, [
        { key: "T-1", value: JSON.stringify(position("T-1", 1)) },
      ]);
    await until(() => !reader.health().ok);
    expect(reader.health().detail).toContain("view exploded");
    await reader.stop();
  });

  it("is not ready until it has replayed what its topics held at start, then stays ready", async () => {
    const eventLog = new InMemoryEventLog();
    await eventLog.ensureTopics([{ ...TOPICS.truckPositions, partitions: 1 }]);
    await eventLog.producer().send(
      TOPICS.truckPositions.name,
      [1, 2, 3].map((seq) => ({
        key: `T-${seq}`,
        value: JSON.stringify(position(`T-${seq}`, seq)),
      })),
    );
    const healthWhileReading: string[] = [];
    const reader = positionsReader(eventLog, () =>
      healthWhileReading.push(reader.health().detail ?? "ok"),
    );
    await reader.start();
    await until(() => healthWhileReading.length === 3);
    // While the history is read, a load balancer sends no browser here.
    expect(healthWhileReading[0]).toMatch(/^replaying its topics: \d+ records to go$/);
    await until(() => reader.health().ok);
    // Records written after start are live traffic: they never make it unready again.
    await eventLog
      .producer()
      .send(TOPICS.truckPositions.name, [
        { key: "T-4", value: JSON.stringify(position("T-4", 4)) },
      ]);
    await until(() => healthWhileReading.length === 4);
    expect(healthWhileReading[3]).toBe("ok");
    await reader.stop();
  });

  it("becomes ready when retention deleted the records it was to replay before it read them", async () => {
    const eventLog = new InMemoryEventLog();
    await eventLog.ensureTopics([{ ...TOPICS.truckPositions, partitions: 1 }]);
    // At start the partition held offsets 0..2; they were deleted before the first fetch (the
    // in-memory log deletes nothing: its offsets answer says so instead).
    const answers = [[{ partition: 0, low: 0, high: 3 }]];
    eventLog.offsets = async () => answers.shift() ?? [{ partition: 0, low: 3, high: 3 }];
    const reader = positionsReader(eventLog, () => {}, 10);
    await reader.start();
    expect(reader.health().detail).toBe("replaying its topics: 3 records to go");
    await until(() => reader.health().ok);
    await reader.stop();
  });
});
