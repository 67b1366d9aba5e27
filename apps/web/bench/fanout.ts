/**
 * `npm run bench -- fanout [--clients 200] [--trucks 50000] [--rate 2500] [--seconds 20]`: one web
 * app process serving `clients` socket.io clients while a `trucks` fleet moves (`rate` fixes a
 * second, one every 20 s per truck at 50,000), measured twice in the same run:
 *  - viewport: each client subscribes a random map view (1440×900 at a random zoom 6–14 over
 *    the fleet's region), as the dashboard does (`fleet:viewport:v1` → v2 events);
 *  - baseline: each client takes the whole fleet (the v1 broadcast of every update to everyone).
 * Per mode: bytes received per client per second (socket.io packet payloads), the web app's CPU
 * (seconds per second, from /proc), and processed → client latency p50/p99 (processedAt to the
 * client's receipt; same machine, same clock). The clients run in this process on the same two
 * cores, so a heavy mode also slows its own clients: the latency includes that.
 * Last line: value = viewport bytes per client per second, baseline = broadcast's.
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import {
  decodePositions,
  type FleetStreamBatch,
  type TruckPosition,
  type ViewportSubscription,
} from "@fleetstream/contracts";
import { scratchDatabases } from "@fleetstream/db/testing";
import { NL_REGION } from "@fleetstream/geofence/testing";
import { Kafka, logLevel } from "kafkajs";
import { io, type Socket } from "socket.io-client";
import { cpuSeconds, log, percentile, services } from "../../processor/bench/lib/pipeline-stack";
import {
  apiKey,
  buildWebApp,
  freshWebTopics,
  sendPositions,
  signIn,
  simulatedFleet,
  sleep,
  startWebApp,
  steadyUpdates,
  trucksHeld,
} from "./lib/live-fleet";

const { values } = parseArgs({
  options: {
    clients: { type: "string", default: "200" },
    trucks: { type: "string", default: "50000" },
    rate: { type: "string", default: "2500" },
    seconds: { type: "string", default: "20" },
  },
});
const CLIENTS = Number(values.clients);
const TRUCKS = Number(values.trucks);
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const run = randomBytes(3).toString("hex");

/** A 1440×900 map view centred somewhere over the fleet's region, at a random zoom 6–14. */
function randomViewport(random: () => number): ViewportSubscription {
  const [west, south, east, north] = NL_REGION;
  const zoom = 6 + Math.floor(random() * 9);
  const lat = south + random() * (north - south);
  const lon = west + random() * (east - west);
  const degreesPerPixel = 360 / (256 * 2 ** zoom);
  const halfWidth = (1440 / 2) * degreesPerPixel;
  const halfHeight = (900 / 2) * degreesPerPixel * Math.cos((lat * Math.PI) / 180);
  return {
    west: Math.max(-180, lon - halfWidth),
    east: Math.min(180, lon + halfWidth),
    south: Math.max(-90, lat - halfHeight),
    north: Math.min(90, lat + halfHeight),
    zoom,
  };
}

interface ModeResult {
  mode: "viewport" | "broadcast";
  bytesPerClientPerSec: number;
  positionsPerClientPerSec: number;
  webCpuPerSec: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  clientsConnected: number;
}

async function measureMode(
  mode: ModeResult["mode"],
  base: string,
  token: string,
  pid: number,
): Promise<ModeResult> {
  let seed = 7;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  let counting = false;
  let bytes = 0;
  let positions = 0;
  const latencies: number[] = [];
  const received = (list: readonly TruckPosition[]) => {
    if (!counting) return;
    const now = Date.now();
    positions += list.length;
    // Every 16th position is enough for the percentiles and keeps this process lighter.
    for (let i = 0; i < list.length; i += 16)
      latencies.push(now - (list[i] as TruckPosition).processedAt);
  };
  const sockets: Socket[] = [];
  for (let i = 0; i < CLIENTS; i++) {
    const socket = io(base, {
      transports: ["websocket"],
      auth: mode === "viewport" ? { token, fleet: "viewport" } : { token },
      reconnection: false,
    });
    socket.on("connect", () => {
      // The engine exists once connected: count what arrives through it.
      socket.io.engine.on("packet", (packet: { data?: unknown }) => {
        if (counting && typeof packet.data === "string") bytes += packet.data.length;
      });
      if (mode === "viewport") socket.emit("fleet:viewport:v1", randomViewport(random));
    });
    if (mode === "viewport") {
      const onBatch = (batch: FleetStreamBatch) => received(decodePositions(batch.positions));
      socket.on("fleet:changes:v2", onBatch);
    } else socket.on("fleet:positions:v1", received);
    sockets.push(socket);
  }
  while (sockets.filter((s) => s.connected).length < CLIENTS) await sleep(100);
  await sleep(3_000); // the snapshots and views are out of the way
  const cpuBefore = cpuSeconds(pid);
  const began = performance.now();
  counting = true;
  await sleep(SECONDS * 1_000);
  counting = false;
  const elapsed = (performance.now() - began) / 1_000;
  const cpu = cpuSeconds(pid) - cpuBefore;
  const connected = sockets.filter((s) => s.connected).length;
  for (const socket of sockets) socket.close();
  const sorted = latencies.sort((a, b) => a - b);
  return {
    mode,
    bytesPerClientPerSec: Math.round(bytes / CLIENTS / elapsed),
    positionsPerClientPerSec: Math.round(positions / CLIENTS / elapsed),
    webCpuPerSec: Math.round((cpu / elapsed) * 100) / 100,
    latencyP50Ms: Math.round(percentile(sorted, 50)),
    latencyP99Ms: Math.round(percentile(sorted, 99)),
    clientsConnected: connected,
  };
}

async function main() {
  const { brokers, databaseUrl } = services();
  log("fanout bench: building the web app (cached when unchanged)");
  buildWebApp();
  const kafka = new Kafka({ clientId: `bench-fanout-${run}`, brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const producer = kafka.producer();
  await producer.connect();
  const scratch = scratchDatabases(databaseUrl);
  await freshWebTopics(admin, brokers);
  const web = await startWebApp({ brokers, databaseUrl: await scratch.create() });
  const results: ModeResult[] = [];
  let stopUpdates: (() => void) | undefined;
  try {
    const fleet = simulatedFleet(TRUCKS);
    await sendPositions(producer, fleet.all());
    const cookie = await signIn(web.base);
    while ((await trucksHeld(web.base, cookie)) < TRUCKS) await sleep(250);
    const token = await apiKey(web.base, cookie, `bench-fanout-${run}`);
    stopUpdates = steadyUpdates(producer, fleet, RATE, log);
    const pid = web.process.child.pid as number;
    for (const mode of ["viewport", "broadcast"] as const) {
      log(`fanout bench: ${CLIENTS} clients, ${mode}, ${SECONDS} s…`);
      const result = await measureMode(mode, web.base, token, pid);
      results.push(result);
      log(`fanout bench: ${JSON.stringify(result)}`);
    }
  } finally {
    stopUpdates?.();
    await web.process.kill("SIGTERM");
    await producer.disconnect();
    await admin.disconnect();
    await scratch.dropAll();
  }
  const [viewport, broadcast] = results as [ModeResult, ModeResult];
  console.log(
    JSON.stringify({
      bench: "fanout",
      metric: `bytes per client per second, ${CLIENTS} clients with random viewports over ${TRUCKS} trucks (baseline: broadcast of every update)`,
      value: viewport.bytesPerClientPerSec,
      unit: "bytes/client/s",
      baseline: broadcast.bytesPerClientPerSec,
      ratio:
        Math.round((viewport.bytesPerClientPerSec / broadcast.bytesPerClientPerSec) * 1_000) /
        1_000,
      updatesPerSecProduced: RATE,
      viewport,
      broadcast,
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
