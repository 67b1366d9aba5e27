import {
  decodePositions,
  encodePositions,
  type FleetStreamBatch,
  type TruckPosition,
  ViewportSubscription,
} from "@fleetstream/contracts";
import { describe, expect, it } from "vitest";
import { LatestPositions } from "./latest-positions";
import { cellLevel, createViewportStreams, type StreamSink } from "./viewport-streams";

let seq = 0;
const fix = (truckId: string, lat: number, lon: number): TruckPosition => {
  seq += 1;
  return { truckId, seq, lat, lon, speedKmh: 50, headingDeg: 90, eventTime: seq, processedAt: seq };
};
// The Netherlands-ish: lon 4..6, lat 51..53.
const NONE = encodePositions([]);
const AREA = ViewportSubscription.parse({ west: 4, south: 51, east: 6, north: 53, zoom: 9 });

function browser() {
  const received: { event: string; batch: FleetStreamBatch }[] = [];
  let ready = true;
  let drain: (() => void) | undefined;
  const sink: StreamSink = {
    ready: () => ready,
    onDrain: (retry) => {
      drain = retry;
    },
    send: (event, batch) => received.push({ event, batch }),
  };
  return {
    sink,
    received,
    /** Truck ids of the last message, in order. */
    lastIds: () => decodePositions(received.at(-1)?.batch.positions ?? NONE).map((p) => p.truckId),
    last: () => received.at(-1),
    backUp: () => {
      ready = false;
    },
    drains: () => {
      ready = true;
      const retry = drain;
      drain = undefined;
      retry?.();
    },
  };
}
function setup(positions: TruckPosition[], options = {}) {
  const view = new LatestPositions();
  for (const p of positions) view.apply(p);
  view.takeChanged();
  const streams = createViewportStreams(view, options);
  let now = 0;
  const move = (...moved: TruckPosition[]) => {
    for (const p of moved) view.apply(p);
    now += 2_000;
    streams.push(view.takeChanged(), now);
  };
  return { view, streams, move };
}

describe("viewport streams", () => {
  it("answers a viewport with the trucks inside it only, and the fleet's size", () => {
    const { streams } = setup([fix("IN-1", 52, 5), fix("IN-2", 51.5, 4.5), fix("OUT-1", 48, 2)]);
    const b = browser();
    streams.subscribe("s1", b.sink, AREA);
    expect(b.last()?.event).toBe("fleet:view:v2");
    expect(b.lastIds().sort()).toEqual(["IN-1", "IN-2"]);
    expect(b.last()?.batch.fleetSize).toBe(3);
    expect(b.last()?.batch.fleetBounds).toEqual([2, 48, 5, 52]);
    expect(b.last()?.batch.cells).toBeUndefined();
  });

  it("sends a truck that leaves the area once, outside it, then no more; one that enters starts", () => {
    const { streams, move } = setup([fix("A", 52, 5), fix("B", 48, 2)]);
    const b = browser();
    streams.subscribe("s1", b.sink, AREA);

    move(fix("A", 50, 5)); // leaves
    expect(b.last()?.event).toBe("fleet:changes:v2");
    expect(decodePositions(b.last()?.batch.positions ?? NONE)).toMatchObject([
      { truckId: "A", lat: 50 },
    ]);
    const count = b.received.length;
    move(fix("A", 49, 5)); // still outside: nothing for this browser
    move(fix("B", 47, 2)); // never inside: nothing
    expect(b.received.length).toBe(count);

    move(fix("B", 52.5, 5.5)); // enters
    expect(b.lastIds()).toEqual(["B"]);
  });

  it("shows a dense area as counts per cell, and a followed truck by itself wherever it is", () => {
    const many = Array.from({ length: 300 }, (_, i) =>
      fix(`T-${i}`, 51 + (i % 20) / 10, 4 + (i % 15) / 8),
    );
    const { streams, move } = setup([...many, fix("FAR", 40, -3)], { detailLimit: 100 });
    const b = browser();
    streams.subscribe("s1", b.sink, { ...AREA, zoom: 7, follow: ["FAR"] });
    const view = b.last()?.batch;
    expect(b.lastIds()).toEqual(["FAR"]);
    const counts = view?.cells?.count ?? [];
    expect(counts.length).toBeGreaterThan(1);
    expect(counts.reduce((a, n) => a + n, 0)).toBe(300);

    move(fix("T-1", 51.2, 4.2), fix("FAR", 40.1, -3));
    expect(b.lastIds()).toEqual(["FAR"]); // counts only for the rest
    expect(b.last()?.batch.cells?.count.reduce((a, n) => a + n, 0)).toBe(300);
  });

  it("cells are 64 px on screen at every whole zoom", () => {
    for (const zoom of [0, 3, 7, 12]) {
      const tileDegrees = 360 / 2 ** zoom; // a map tile is 256 px wide
      const cellDegrees = 360 / 2 ** cellLevel(zoom);
      expect((cellDegrees / tileDegrees) * 256).toBe(64);
    }
  });

  it("zoomed in far enough, sends trucks one by one however dense", () => {
    const many = Array.from({ length: 300 }, (_, i) => fix(`T-${i}`, 52 + i / 1e5, 5));
    const { streams } = setup(many, { detailLimit: 100, detailZoom: 13 });
    const b = browser();
    streams.subscribe("s1", b.sink, { ...AREA, zoom: 14 });
    expect(b.lastIds()).toHaveLength(300);
    expect(b.last()?.batch.cells).toBeUndefined();
  });

  it("skips a browser that has not taken its last push and sends it the latest state once it drains", () => {
    const { streams, move } = setup([fix("A", 52, 5), fix("B", 52.1, 5.1)]);
    const slow = browser();
    const fast = browser();
    streams.subscribe("slow", slow.sink, AREA);
    streams.subscribe("fast", fast.sink, AREA);
    slow.backUp();
    for (let i = 1; i <= 50; i++) move(fix("A", 52 + i / 1000, 5), fix("B", 52.1, 5.1 + i / 1000));
    expect(fast.received).toHaveLength(51);
    expect(slow.received).toHaveLength(1); // the view only
    slow.drains();
    expect(slow.received).toHaveLength(2);
    const latest = decodePositions(slow.last()?.batch.positions ?? NONE);
    expect(latest.map((p) => [p.truckId, p.lat, p.lon])).toEqual([
      ["A", 52.05, 5],
      ["B", 52.1, 5.15],
    ]);
  });

  it("a new viewport replaces the old one; a closed socket gets nothing", () => {
    const { streams, move } = setup([fix("A", 52, 5), fix("B", 45, 10)]);
    const b = browser();
    streams.subscribe("s1", b.sink, AREA);
    streams.subscribe(
      "s1",
      b.sink,
      ViewportSubscription.parse({ west: 9, south: 44, east: 11, north: 46, zoom: 9 }),
    );
    expect(b.lastIds()).toEqual(["B"]);
    move(fix("A", 52.1, 5));
    expect(b.last()?.event).toBe("fleet:view:v2"); // A is not in this area any more
    streams.unsubscribe("s1");
    move(fix("B", 45.1, 10));
    expect(b.last()?.event).toBe("fleet:view:v2");
    expect(streams.size).toBe(0);
  });
});
