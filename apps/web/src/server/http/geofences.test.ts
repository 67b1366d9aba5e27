import {
  GEOFENCE_DELETED_AT_HEADER,
  Geofence,
  type GeofenceInput,
  TOPICS,
} from "@fleetstream/contracts";
import { type Database, openDatabase } from "@fleetstream/db";
import { type ConsumedRecord, InMemoryEventLog, type Producer } from "@fleetstream/eventlog";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createGeofenceStore } from "../geofences/store";
import { geofenceApi } from "./geofences";

// The REST API's handlers over the real store: PGlite (embedded PostgreSQL) and the in-process
// event log, which share their contracts with PostgreSQL and Kafka.

const depot: GeofenceInput = {
  name: "Depot Utrecht",
  tags: ["depot"],
  geometry: {
    type: "Polygon",
    coordinates: [
      [
        [5.1, 52.08],
        [5.12, 52.08],
        [5.12, 52.1],
        [5.1, 52.1],
        [5.1, 52.08],
      ],
      [
        [5.105, 52.085],
        [5.11, 52.085],
        [5.11, 52.09],
        [5.105, 52.085],
      ],
    ],
  },
  dwellSeconds: 600,
};

describe("geofence REST API", () => {
  let db: Database;
  let eventLog: InMemoryEventLog;
  let producer: Producer;
  let clock = 1_764_000_000_000;
  const topic: ConsumedRecord[] = [];
  let api: ReturnType<typeof geofenceApi>;

  const request = (method: string, path: string, body?: unknown) =>
    new Request(`http://localhost${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });

  beforeAll(async () => {
    db = await openDatabase({ url: "pglite://memory" });
    await db.migrate();
    eventLog = new InMemoryEventLog();
    await eventLog.ensureTopics([TOPICS.geofences]);
    producer = eventLog.producer();
    const store = createGeofenceStore({ prisma: db.prisma, producer, now: () => clock });
    api = geofenceApi(() => store);
    const consumer = eventLog.consumer({
      groupId: "test",
      topics: [TOPICS.geofences.name],
      eachBatch: async (batch) => {
        topic.push(...batch.records);
      },
    });
    await consumer.start();
  });

  afterAll(async () => {
    await eventLog.close();
    await db.close();
  });

  it("creates, reads, replaces and deletes a geofence; each change goes to the compacted topic", async () => {
    const created = await api.create(request("POST", "/api/geofences", depot));
    expect(created.status).toBe(201);
    const fence = Geofence.parse(await created.json());
    expect(created.headers.get("location")).toBe(`/api/geofences/${fence.id}`);
    expect(fence).toMatchObject({
      version: 1,
      enabled: true,
      speedLimitKmh: null,
      debounce: { fixes: 3, seconds: 20 },
      updatedAt: clock,
    });

    const list = await (await api.list(request("GET", "/api/geofences?tag=depot"))).json();
    expect(list.geofences).toEqual([fence]);
    expect(
      (await (await api.list(request("GET", "/api/geofences?tag=none"))).json()).geofences,
    ).toEqual([]);
    expect(await (await api.get(request("GET", ""), fence.id)).json()).toEqual(fence);

    clock += 60_000;
    const replaced = await api.replace(
      request("PUT", "", { ...depot, name: "Depot", speedLimitKmh: 30 }),
      fence.id,
    );
    expect(replaced.status).toBe(200);
    const v2 = Geofence.parse(await replaced.json());
    expect(v2).toMatchObject({
      id: fence.id,
      version: 2,
      name: "Depot",
      speedLimitKmh: 30,
      createdAt: fence.createdAt,
      updatedAt: clock,
    });

    clock += 60_000;
    const deleted = await api.remove(request("DELETE", ""), fence.id);
    expect(deleted.status).toBe(204);
    expect((await api.get(request("GET", ""), fence.id)).status).toBe(404);

    await vi.waitFor(() => expect(topic.filter((r) => r.key === fence.id)).toHaveLength(3));
    const [first, second, tombstone] = topic.filter((r) => r.key === fence.id);
    expect(Geofence.parse(JSON.parse(String(first?.value)))).toEqual(fence);
    expect(Geofence.parse(JSON.parse(String(second?.value)))).toEqual(v2);
    expect(tombstone?.value).toBeNull();
    expect(tombstone?.headers[GEOFENCE_DELETED_AT_HEADER]).toBe(String(clock));
  });

  it.each([
    [
      "an unclosed ring",
      {
        ...depot,
        geometry: {
          type: "Polygon",
          coordinates: [
            [
              [5, 52],
              [5.1, 52],
              [5.1, 52.1],
              [5, 52.1],
            ],
          ],
        },
      },
      /geometry\.coordinates\.0: unclosed ring/,
    ],
    [
      "a self-intersection",
      {
        ...depot,
        geometry: {
          type: "Polygon",
          coordinates: [
            [
              [5, 52],
              [5.1, 52.1],
              [5.1, 52],
              [5, 52.1],
              [5, 52],
            ],
          ],
        },
      },
      /geometry\.coordinates\[0\]: ring self-intersects/,
    ],
    [
      "an out-of-range coordinate",
      { ...depot, geometry: { type: "Circle", center: [190, 52], radiusM: 100 } },
      /geometry\.center\.0: longitude above 180/,
    ],
    [
      "a radius <= 0",
      { ...depot, geometry: { type: "Circle", center: [5, 52], radiusM: 0 } },
      /geometry\.radiusM: radius must be > 0/,
    ],
    [
      "a corridor without a buffer",
      {
        ...depot,
        geometry: {
          type: "Corridor",
          coordinates: [
            [5, 52],
            [5.1, 52],
          ],
        },
      },
      /geometry\.bufferM/,
    ],
    ["a missing name", { geometry: depot.geometry }, /^name: Invalid input/],
    ["an unknown field", { ...depot, colour: "red" }, /colour/],
  ])("answers %s with 400 naming the problem", async (_, body, pattern) => {
    const response = await api.create(request("POST", "/api/geofences", body));
    expect(response.status).toBe(400);
    const answer = await response.json();
    expect(answer.error).toMatch(/^invalid geofence: /);
    expect(answer.problems.join("\n")).toMatch(pattern);
  });

  it("answers a body that is not JSON with 400, and unknown ids with 404", async () => {
    const bad = await api.create(request("POST", "/api/geofences", "{nope"));
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/^request body is not JSON/);
    const unknown = "00000000-0000-0000-0000-000000000000";
    expect((await api.get(request("GET", ""), unknown)).status).toBe(404);
    expect((await api.replace(request("PUT", "", depot), unknown)).status).toBe(404);
    expect((await api.remove(request("DELETE", ""), unknown)).status).toBe(404);
    expect((await api.get(request("GET", ""), "not a valid/id")).status).toBe(404);
  });

  it("refuses a fence whose topic record would pass 1,000,000 bytes with 413, storing nothing", async () => {
    // 19,999 positions (under the position limit) of numbers between 1e-6 and 1e-5, which
    // JSON writes out in full (0.0000051234…): a valid ring whose record is over 1 MB.
    const ring: [number, number][] = [];
    for (let i = 0; i < 19_998; i++) {
      const angle = (2 * Math.PI * i) / 19_998;
      ring.push([5e-6 + 3.7e-6 * Math.cos(angle), 5e-6 + 3.7e-6 * Math.sin(angle)]);
    }
    ring.push([...(ring[0] as [number, number])]);
    const big = { name: "Gulf of Guinea buoy", geometry: { type: "Polygon", coordinates: [ring] } };
    const rowsBefore = await db.prisma.geofence.count();
    const recordsBefore = topic.length;

    const created = await api.create(request("POST", "/api/geofences", big));
    expect(created.status).toBe(413);
    const body = (await created.json()) as { error: string };
    expect(body.error).toMatch(
      /^geofence too large: its record on the "geofences" topic would be \d+ bytes, more than the 1000000-byte limit of a Kafka record/,
    );
    const existing = (await (
      await api.create(request("POST", "/api/geofences", depot))
    ).json()) as Geofence;
    const replaced = await api.replace(
      request("PUT", `/api/geofences/${existing.id}`, big),
      existing.id,
    );
    expect(replaced.status).toBe(413);
    expect(await db.prisma.geofence.count()).toBe(rowsBefore + 1);
    const stored = await api.get(request("GET", `/api/geofences/${existing.id}`), existing.id);
    expect(((await stored.json()) as Geofence).version).toBe(1);
    await vi.waitFor(() => expect(topic.length).toBe(recordsBefore + 1));
  });

  it("refuses NUL characters in a name or tag with 400 naming the field", async () => {
    const withNul = await api.create(
      request("POST", "/api/geofences", { ...depot, name: "Depot\u0000Utrecht" }),
    );
    expect(withNul.status).toBe(400);
    expect(await withNul.json()).toMatchObject({
      field: "name",
      error: "invalid geofence: name: must not contain NUL characters (\\u0000)",
    });
    const tag = await api.create(
      request("POST", "/api/geofences", { ...depot, tags: ["a\u0000"] }),
    );
    expect(tag.status).toBe(400);
    expect(((await tag.json()) as { field: string }).field).toBe("tags");
  });

  it("answers 503 when the web server runs without a database", async () => {
    const response = await geofenceApi(() => undefined).list(request("GET", "/api/geofences"));
    expect(response.status).toBe(503);
  });
});
