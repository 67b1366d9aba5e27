import { type Database, openDatabase } from "@fleetstream/db";
import { InMemoryEventLog } from "@fleetstream/eventlog";
import { createLogger } from "@fleetstream/service";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedAlerts, seedTruck } from "../../../test/seed";
import { encodePrincipal, PRINCIPAL_HEADER } from "../auth/roles";
import { createAlertsFeed } from "../feeds/alerts";
import { createGeofencesFeed } from "../feeds/geofences";
import { createPositionsFeed } from "../feeds/positions";
import { createWindowsFeed } from "../feeds/windows";
import { WindowsView } from "../views/windows-view";
import { alertsApi } from "./alerts";
import { basemapApi } from "./basemap";
import { replayApi } from "./replay";
import { trucksApi } from "./trucks";
import { windowsApi } from "./windows";

// The dashboard's REST endpoints over PGlite (embedded PostgreSQL, same SQL) with rows as the
// processor writes them. Bad input answers 400 naming the field; unknown ids 404.

const T0 = Date.UTC(2026, 11, 1, 10);
const MIN = 60_000;
const get = (path: string) => new Request(`http://test${path}`);
const post = (path: string, body: unknown) =>
  new Request(`http://test${path}`, {
    method: "POST",
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

let db: Database;
let api: {
  alerts: ReturnType<typeof alertsApi>;
  trucks: ReturnType<typeof trucksApi>;
  replay: ReturnType<typeof replayApi>;
  windows: ReturnType<typeof windowsApi>;
  basemap: ReturnType<typeof basemapApi>;
};
let alertsFeed: ReturnType<typeof createAlertsFeed>;

beforeAll(async () => {
  db = await openDatabase({ url: "pglite://memory" });
  await db.migrate();
  const eventLog = new InMemoryEventLog();
  const options = { eventLog, logger: createLogger("test", "silent"), partitions: 1 };
  alertsFeed = createAlertsFeed(options);
  const positions = createPositionsFeed(options);
  const windows = createWindowsFeed({ ...options, view: new WindowsView() });
  const geofences = createGeofencesFeed(options);
  const prisma = () => db.prisma;
  api = {
    alerts: alertsApi({ prisma, feed: alertsFeed, now: () => T0 + 99 * MIN }),
    trucks: trucksApi({ prisma, positions, alerts: alertsFeed, windows, offlineAfterMs: 600_000 }),
    replay: replayApi({ prisma }),
    windows: windowsApi({ prisma, windows, geofences }),
    basemap: basemapApi({ roads: async () => null }),
  };
  // T-A drives east for 20 minutes (a fix a minute); T-B has one fix.
  await seedTruck(
    db,
    "T-A",
    Array.from({ length: 21 }, (_, i) => ({ eventTime: T0 + i * MIN, lat: 52, lon: 5 + i / 100 })),
  );
  await seedTruck(db, "T-B", [{ eventTime: T0, lat: 51, lon: 4 }]);
  await db.prisma
    .$executeRaw`INSERT INTO geofences (id, name, tags, enabled, geometry, debounce_fixes, debounce_seconds, version, created_at, updated_at)
    VALUES ('fence-depot', 'Depot', ARRAY['depot'], true, '{"type":"Circle","center":[5,52],"radiusM":500}', 3, 20, 1, now(), now())`;
  await seedAlerts(db.prisma, [
    { truckId: "T-A", geofenceId: "fence-depot", kind: "ENTER", eventTime: T0 + 2 * MIN },
    { truckId: "T-A", geofenceId: "fence-depot", kind: "EXIT", eventTime: T0 + 9 * MIN },
    { truckId: "T-B", geofenceId: "fence-other", kind: "CROSSED", eventTime: T0 + 5 * MIN },
  ]);
});

afterAll(async () => {
  await db.close();
});

async function problem(response: Response | Promise<Response>, status: number) {
  const r = await response;
  expect(r.status).toBe(status);
  return (await r.json()) as { error: string; field?: string };
}

describe("GET /api/alerts", () => {
  it("filters by type, truck, fence and the fence's tag, newest first", async () => {
    const ids = async (query: string) =>
      (
        (await (await api.alerts.list(get(`/api/alerts${query}`))).json()) as {
          alerts: { kind: string }[];
        }
      ).alerts.map((a) => a.kind);
    expect(await ids("")).toEqual(["EXIT", "CROSSED", "ENTER"]);
    expect(await ids("?type=ENTER,EXIT")).toEqual(["EXIT", "ENTER"]);
    expect(await ids("?truck=T-B")).toEqual(["CROSSED"]);
    expect(await ids("?fence=fence-other")).toEqual(["CROSSED"]);
    expect(await ids("?tag=depot")).toEqual(["EXIT", "ENTER"]);
    expect(await ids(`?from=${T0 + 3 * MIN}&to=${new Date(T0 + 9 * MIN).toISOString()}`)).toEqual([
      "CROSSED",
    ]);
  });

  it.each([
    ["?type=LEFT", "type"],
    ["?limit=0", "limit"],
    ["?limit=ten", "limit"],
    ["?before=not-a-cursor", "before"],
    ["?truck=a%20b", "truck"],
    ["?from=yesterday", "from"],
    [`?from=${T0}&to=${T0}`, "to"],
    ["?colour=red", ""],
  ])("answers %s with 400 naming the field", async (query, field) => {
    const body = await problem(api.alerts.list(get(`/api/alerts${query}`)), 400);
    expect(body.error).toMatch(/^invalid query: /);
    if (field) expect(body.field).toBe(field);
    else expect(body.error).toContain("colour");
  });

  it("answers an unknown alert id with 404", async () => {
    await problem(api.alerts.get(get("/api/alerts/x"), "T-Z/f/ENTER/1"), 404);
  });
});

describe("POST /api/alerts/:id/acknowledgement", () => {
  it("stores who acknowledged and when; the first acknowledgement stays", async () => {
    const id = `T-A/fence-depot/ENTER/${T0 + 2 * MIN}`;
    const first = await api.alerts.acknowledge(post("", { by: "Ann" }), id);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ alertId: id, by: "Ann", at: T0 + 99 * MIN });
    const second = await (await api.alerts.acknowledge(post("", { by: "Bob" }), id)).json();
    expect(second.by).toBe("Ann");
    const listed = await (await api.alerts.list(get("/api/alerts?acknowledged=true"))).json();
    expect(
      listed.alerts.map((a: { id: string; acknowledged: unknown }) => [a.id, a.acknowledged]),
    ).toEqual([[id, { by: "Ann", at: T0 + 99 * MIN }]]);
    const open = await (await api.alerts.list(get("/api/alerts?acknowledged=false"))).json();
    expect(open.alerts).toHaveLength(2);
  });

  it("acknowledges an alert seen live before the processor stored it", async () => {
    const live = {
      v: 1 as const,
      id: "T-C/fence-depot/ENTER/5",
      kind: "ENTER" as const,
      truckId: "T-C",
      geofenceId: "fence-depot",
      geofenceVersion: 1,
      eventTime: 5,
      since: 5,
      seq: 1,
      lat: 52,
      lon: 5,
      speedKmh: 3,
    };
    alertsFeed.view.add(live, 10);
    // Signed in, the acknowledgement is the caller's, whatever name the body claims.
    const request = post("", { by: "Mallory" });
    request.headers.set(
      PRINCIPAL_HEADER,
      encodePrincipal({ kind: "user", id: "u1", label: "cem@example.com", role: "dispatcher" }),
    );
    const response = await api.alerts.acknowledge(request, live.id);
    expect(response.status).toBe(200);
    expect(alertsFeed.view.get(live.id)?.acknowledged?.by).toBe("cem@example.com");
  });

  it("answers 400 for bad JSON or a blank name, and 404 for an unknown alert", async () => {
    expect((await problem(api.alerts.acknowledge(post("", { by: "  " }), "x"), 400)).field).toBe(
      "by",
    );
    await problem(api.alerts.acknowledge(post("", "{nope"), "x"), 400);
    await problem(api.alerts.acknowledge(post("", { by: "Ann" }), "T-Z/f/ENTER/1"), 404);
  });
});

describe("truck endpoints", () => {
  it("answers the trail of the hour before the latest fix, in event-time order", async () => {
    const body = await (await api.trucks.trail(get("/api/trucks/T-A/trail"), "T-A")).json();
    expect(body.to).toBe(T0 + 20 * MIN + 1);
    expect(body.fixes).toHaveLength(21);
    expect(body.fixes.map((f: { eventTime: number }) => f.eventTime)).toEqual(
      [...body.fixes.map((f: { eventTime: number }) => f.eventTime)].sort((a, b) => a - b),
    );
    const part = await (
      await api.trucks.trail(
        get(`/api/trucks/T-A/trail?from=${T0 + 5 * MIN}&to=${T0 + 10 * MIN}`),
        "T-A",
      )
    ).json();
    expect(part.fixes.map((f: { eventTime: number }) => (f.eventTime - T0) / MIN)).toEqual([
      5, 6, 7, 8, 9,
    ]);
  });

  it("answers unknown trucks with 404 and bad ranges with 400 naming the field", async () => {
    for (const call of [
      api.trucks.get(get(""), "T-NOPE"),
      api.trucks.trail(get("/t"), "T-NOPE"),
      api.trucks.windows(get("/t"), "T-NOPE"),
    ]) {
      await problem(call, 404);
    }
    expect(
      (await problem(api.trucks.trail(get(`/t?from=${T0}&to=${T0 - 1}`), "T-A"), 400)).field,
    ).toBe("to");
    expect(
      (await problem(api.trucks.trail(get(`/t?from=${T0}&to=${T0 + 25 * 3_600_000}`), "T-A"), 400))
        .field,
    ).toBe("to");
    expect((await problem(api.trucks.list(get("/t?status=parked")), 400)).field).toBe("status");
  });

  it("tells a truck's recent alerts", async () => {
    const body = await (await api.trucks.get(get(""), "T-A")).json();
    expect(body.truck.truckId).toBe("T-A");
    expect(body.recentAlerts.map((a: { kind: string }) => a.kind)).toEqual(["EXIT", "ENTER"]);
  });
});

describe("GET /api/replay", () => {
  it("answers each truck's fixes and their alerts in the range", async () => {
    const body = await (
      await api.replay.get(get(`/api/replay?trucks=T-A,T-B&from=${T0}&to=${T0 + 10 * MIN}`))
    ).json();
    expect(
      body.trucks.map((t: { truckId: string; fixes: unknown[] }) => [t.truckId, t.fixes.length]),
    ).toEqual([
      ["T-A", 10],
      ["T-B", 1],
    ]);
    expect(body.alerts.map((a: { kind: string }) => a.kind)).toEqual(["ENTER", "CROSSED", "EXIT"]);
  });

  it.each([
    [`?from=${T0}&to=${T0 + MIN}`, "trucks"],
    [`?trucks=&from=${T0}&to=${T0 + MIN}`, "trucks"],
    [
      `?trucks=${Array.from({ length: 21 }, (_, i) => `T-${i}`).join(",")}&from=${T0}&to=${T0 + MIN}`,
      "trucks",
    ],
    [`?trucks=T-A&to=${T0}`, "from"],
    [`?trucks=T-A&from=${T0}&to=${T0 + 25 * 3_600_000}`, "to"],
  ])("answers %s with 400 naming the field", async (query, field) => {
    expect((await problem(api.replay.get(get(`/api/replay${query}`)), 400)).field).toBe(field);
  });

  it("answers an unknown truck with 404", async () => {
    const body = await problem(
      api.replay.get(get(`/api/replay?trucks=T-A,T-GHOST&from=${T0}&to=${T0 + MIN}`)),
      404,
    );
    expect(body.error).toContain("T-GHOST");
  });
});

describe("window and basemap endpoints", () => {
  it("answers an unknown geofence's windows with 404", async () => {
    await problem(api.windows.geofence(get("/w"), "no-such-fence"), 404);
    expect((await api.windows.geofence(get("/w"), "fence-depot")).status).toBe(200);
  });

  it("answers outlines for a box and 400 for a bad box", async () => {
    const body = await (
      await api.basemap.outlines(get("/o?detail=50m&bbox=3,50.5,7.5,53.8"))
    ).json();
    expect(body.land.coordinates.length).toBeGreaterThan(0);
    const [w, s, e, n] = [3, 50.5, 7.5, 53.8];
    for (const polygon of body.land.coordinates) {
      for (const [x, y] of polygon[0]) expect(x >= w && x <= e && y >= s && y <= n).toBe(true);
    }
    expect((await problem(api.basemap.outlines(get("/o?bbox=7,50,3,53")), 400)).field).toBe("bbox");
    expect(
      (await problem(api.basemap.outlines(get("/o?detail=1m&bbox=3,50,7,53")), 400)).field,
    ).toBe("detail");
    await problem(api.basemap.roads(), 404);
  });
});
