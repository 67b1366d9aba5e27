import type { FleetStreamBatch } from "@fleetstream/contracts";
import { InMemoryEventLog } from "@fleetstream/eventlog";
import { createLogger } from "@fleetstream/service";
import { describe, expect, it } from "vitest";
import type { FleetSocket } from "./live-feed";
import { createPositionsFeed } from "./positions";

const position = (truckId: string, lat: number, lon: number) => ({
  truckId,
  seq: 1,
  lat,
  lon,
  speedKmh: 50,
  headingDeg: 90,
  eventTime: 1_800_000_000_000,
  processedAt: 1_800_000_000_000,
});

/** A connected dashboard socket with `auth`, recording what it is sent. */
function dashboardSocket(auth: Record<string, unknown>) {
  const sent: { event: string; batch: FleetStreamBatch }[] = [];
  const handlers = new Map<string, (...args: unknown[]) => void>();
  const socket = {
    id: `socket-${Math.random()}`,
    connected: true,
    conn: { transport: { writable: true }, once: () => {} },
    handshake: { auth },
    on: (event: string, handler: (...args: unknown[]) => void) => handlers.set(event, handler),
    emit: (event: string, batch: FleetStreamBatch) => sent.push({ event, batch }),
  };
  return { socket: socket as unknown as FleetSocket, sent, handlers };
}

describe("the positions feed's dashboard sockets", () => {
  const feed = createPositionsFeed({
    eventLog: new InMemoryEventLog(),
    logger: createLogger("test", "silent"),
    partitions: 1,
  });
  feed.view.apply(position("IN-UTRECHT", 52.09, 5.12));
  feed.view.apply(position("OUT-PARIS", 48.86, 2.35));
  const netherlands = { west: 3.3, south: 50.7, east: 7.3, north: 53.6, zoom: 8 };

  it("streams the area a handshake carries from the connection on, without waiting to be asked", async () => {
    const { socket, sent } = dashboardSocket({ fleet: "viewport", viewport: netherlands });
    await feed.connect(socket);
    expect(sent.map((s) => s.event)).toEqual(["fleet:view:v2"]);
    expect(sent[0]?.batch.positions.truckId).toEqual(["IN-UTRECHT"]);
  });

  it("sends nothing for a handshake viewport that does not parse, and refuses it, with its reason, when asked", async () => {
    const { socket, sent, handlers } = dashboardSocket({
      fleet: "viewport",
      viewport: { ...netherlands, west: 8 },
    });
    await feed.connect(socket);
    expect(sent).toEqual([]);
    const answers: unknown[] = [];
    handlers.get("fleet:viewport:v1")?.({ ...netherlands, west: 8 }, (a: unknown) =>
      answers.push(a),
    );
    expect(answers).toEqual([{ ok: false, error: "west: west must not be east of east" }]);
    handlers.get("fleet:viewport:v1")?.(netherlands, (a: unknown) => answers.push(a));
    expect(sent.map((s) => s.batch.positions.truckId)).toEqual([["IN-UTRECHT"]]);
  });
});
