import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { type Position, TOPICS } from "@fleetstream/contracts";
import { type Database, openDatabase } from "@fleetstream/db";
import { InMemoryEventLog } from "@fleetstream/eventlog";
import { MAX_POSITIONS } from "@fleetstream/geofence";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGeofenceStore } from "../geofences/store";
import { createHttpGuard } from "../http-guard";
import { geofenceApi } from "./geofences";

// A huge polygon must not stall the server: over HTTP (guard + the real geofence handler on
// PGlite), health requests sent while a star-shaped polygon is validated are answered, and the
// polygon gets its answer. Bounds are loose on purpose (tests do not measure speed; PGlite also
// runs on this thread): they catch the quadratic check this replaced, which blocked for minutes.
// The times are printed for the record.

let db: Database;
let eventLog: InMemoryEventLog;
let server: Server;
let base: string;

beforeAll(async () => {
  db = await openDatabase({ url: "pglite://memory" });
  await db.migrate();
  eventLog = new InMemoryEventLog();
  await eventLog.ensureTopics([TOPICS.geofences]);
  const api = geofenceApi(() =>
    createGeofenceStore({ prisma: db.prisma, producer: eventLog.producer() }),
  );
  const guard = createHttpGuard({ tileUrl: "none", dev: false });
  server = createServer((req, res) => {
    if (guard(req, res)) return;
    if (req.url === "/health") {
      res.writeHead(200).end("ok");
      return;
    }
    const request = new Request(`http://localhost${req.url}`, {
      method: req.method ?? "GET",
      headers: req.headers as Record<string, string>,
      body: Readable.toWeb(req) as ReadableStream,
      duplex: "half",
    } as RequestInit);
    void api.create(request).then(async (response) => {
      res.writeHead(response.status, { "content-type": "application/json" });
      res.end(Buffer.from(await response.arrayBuffer()));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server?.close();
  await eventLog?.close();
  await db?.close();
});

/** A closed star-shaped ring: every edge's bounding box covers the centre. */
function star(positions: number, digits: number): Position[] {
  const ring: Position[] = [];
  const round = (v: number) => Number(v.toFixed(digits));
  for (let i = 0; i < positions - 1; i++) {
    const angle = (2 * Math.PI * i) / (positions - 1);
    const radius = i % 2 === 0 ? 0.5 : 0.01;
    ring.push([round(5 + radius * Math.cos(angle)), round(52 + radius * Math.sin(angle))]);
  }
  ring.push([...(ring[0] as Position)] as Position);
  return ring;
}

/** POSTs the polygon while probing /health every 10 ms: its status and the timings. */
async function postWhileProbing(ring: Position[]) {
  const body = JSON.stringify({ name: "Star", geometry: { type: "Polygon", coordinates: [ring] } });
  const probes: number[] = [];
  let done = false;
  const probing = (async () => {
    while (!done) {
      const began = performance.now();
      await (await fetch(`${base}/health`)).text();
      probes.push(performance.now() - began);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  const began = performance.now();
  const response = await fetch(`${base}/api/geofences`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  const answer = (await response.json()) as { error?: string };
  const polygonMs = performance.now() - began;
  done = true;
  await probing;
  return { status: response.status, answer, polygonMs, slowestHealthMs: Math.max(...probes) };
}

describe("a huge polygon does not stall the server", () => {
  it(`validates a ${MAX_POSITIONS}-position star (the documented limit) while health answers`, async () => {
    const result = await postWhileProbing(star(MAX_POSITIONS, 9));
    console.log(`star at the limit: ${JSON.stringify({ ...result, answer: undefined })}`);
    expect(result.status).toBe(201);
    expect(result.polygonMs).toBeLessThan(10_000);
    expect(result.slowestHealthMs).toBeLessThan(2_000);
  });

  it("refuses a 50,000-position star naming the limit, while health answers", async () => {
    const result = await postWhileProbing(star(50_000, 4));
    console.log(`50,000-position star: ${JSON.stringify({ ...result, answer: undefined })}`);
    expect(result.status).toBe(400);
    expect(result.answer.error).toContain(`at most ${MAX_POSITIONS}`);
    expect(result.polygonMs).toBeLessThan(1_000);
    expect(result.slowestHealthMs).toBeLessThan(1_000);
  });
});
