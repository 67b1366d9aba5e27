/**
 * Shared by the live-map benchmarks (map, fanout): a simulated fleet written straight onto
 * `truck_positions` (as the processor would publish it: the web app is what is measured), and the
 * web app as its own process on a scratch database, with an admin to sign in as.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { TOPICS, type TopicSpec, type TruckPosition } from "@fleetstream/contracts";
import { createEventLog } from "@fleetstream/eventlog";
import { NL_REGION } from "@fleetstream/geofence/testing";
import {
  type AppProcess,
  freePort,
  httpStatus,
  startAppProcess,
} from "@fleetstream/service/testing";
import type { Admin, Producer } from "kafkajs";
import { WEB_NODE_FLAGS } from "../../src/node-flags";

export const repoRoot = path.resolve(import.meta.dirname, "../../../..");
export const ADMIN = { email: "bench-admin@fleetstream.test", password: "bench-admin-password-1" };

/** `next build` of the web app (turbo answers from its cache when nothing changed). */
export function buildWebApp(): void {
  execFileSync(
    "npx",
    ["turbo", "run", "build", "--filter=@fleetstream/web", "--output-logs=errors-only"],
    { cwd: repoRoot, stdio: ["ignore", "ignore", "inherit"] },
  );
}

/** Every topic the web app reads from the beginning at start (its live feeds). */
export const WEB_TOPICS: readonly TopicSpec[] = [
  TOPICS.truckPositions,
  TOPICS.truckSpeedWindows,
  TOPICS.scopeSpeedWindows,
  TOPICS.truckGeofenceAlerts,
  TOPICS.geofences,
];

/**
 * Deletes and recreates the topics the web app reads (as the topic table specifies them), so its
 * views hold this run's trucks only, and it does not start by replaying millions of records an
 * earlier benchmark (the pipeline's) left there. The benchmarks own the broker they run on.
 */
export async function freshWebTopics(admin: Admin, brokers: readonly string[]): Promise<void> {
  const names = WEB_TOPICS.map((spec) => spec.name);
  const existing = (await admin.listTopics()).filter((name) => names.includes(name));
  if (existing.length > 0) {
    await admin.deleteTopics({ topics: existing, timeout: 30_000 });
    while ((await admin.listTopics()).some((name) => existing.includes(name))) await sleep(250);
  }
  // Created as the apps create them: the event log retries until every partition has a leader
  // (right after a delete, kafkajs's own `waitForLeaders` gave up with "unknown partition").
  const eventLog = createEventLog({ clientId: "bench-fresh-web-topics", brokers: [...brokers] });
  try {
    await eventLog.ensureTopics(WEB_TOPICS);
  } finally {
    await eventLog.close();
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Truck = Omit<TruckPosition, "processedAt">;

/** `size` trucks spread over the Netherlands, each driving straight and turning at the border. */
export function simulatedFleet(size: number) {
  const [west, south, east, north] = NL_REGION;
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const start = Date.now() - 3_600_000;
  const trucks: Truck[] = Array.from({ length: size }, (_, i) => ({
    truckId: `map-${String(i).padStart(5, "0")}`,
    seq: 0,
    lat: south + random() * (north - south),
    lon: west + random() * (east - west),
    speedKmh: 40 + random() * 50,
    headingDeg: random() * 360,
    eventTime: start,
  }));
  let next = 0;
  /** A truck's next fix, 20 s of driving later, as the processor would publish it now. */
  const advance = (truck: Truck): TruckPosition => {
    const km = (truck.speedKmh * 20) / 3_600;
    const rad = (truck.headingDeg * Math.PI) / 180;
    truck.lat += (Math.cos(rad) * km) / 111;
    truck.lon += (Math.sin(rad) * km) / (111 * Math.cos((truck.lat * Math.PI) / 180));
    if (truck.lat < south || truck.lat > north || truck.lon < west || truck.lon > east) {
      truck.headingDeg = (truck.headingDeg + 180) % 360;
    }
    truck.seq += 1;
    truck.eventTime += 20_000;
    return { ...truck, processedAt: Date.now() };
  };
  return {
    /** Every truck's next fix. */
    all: () => trucks.map(advance),
    /** The next `count` trucks' next fixes, round the fleet. */
    take(count: number): TruckPosition[] {
      const out: TruckPosition[] = [];
      for (let i = 0; i < count; i++) {
        out.push(advance(trucks[next] as Truck));
        next = (next + 1) % trucks.length;
      }
      return out;
    },
  };
}

export async function sendPositions(producer: Producer, positions: TruckPosition[]): Promise<void> {
  for (let i = 0; i < positions.length; i += 5_000) {
    await producer.send({
      topic: TOPICS.truckPositions.name,
      messages: positions.slice(i, i + 5_000).map((p) => ({
        key: p.truckId,
        value: JSON.stringify(p),
      })),
    });
  }
}

/** Sends `perSecond` fixes a second round the fleet, in ten sends a second, until stopped. */
export function steadyUpdates(
  producer: Producer,
  fleet: ReturnType<typeof simulatedFleet>,
  perSecond: number,
  log: (line: string) => void,
): () => void {
  let sending = false;
  const timer = setInterval(() => {
    if (sending) return; // the broker is behind: skip a tick rather than queue sends
    sending = true;
    sendPositions(producer, fleet.take(Math.round(perSecond / 10)))
      .catch((error: unknown) => log(`bench: a send failed: ${String(error)}`))
      .finally(() => {
        sending = false;
      });
  }, 100);
  return () => clearInterval(timer);
}

export interface WebApp {
  base: string;
  process: AppProcess;
  output: string[];
}

/** The web app as its own process on a fresh database; resolves once it is ready. */
export async function startWebApp(options: {
  brokers: string[];
  databaseUrl: string;
  /** More settings for the web app (e.g. MAP_DETAIL_LIMIT). */
  env?: Record<string, string>;
}): Promise<WebApp> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const output: string[] = [];
  const profileDir = globalThis.process.env.BENCH_PROFILE;
  const process = startAppProcess({
    entry: "apps/web/src/main.ts",
    cwd: repoRoot,
    env: {
      PORT: String(port),
      HOST: "127.0.0.1",
      KAFKA_BROKERS: options.brokers.join(","),
      DATABASE_URL: options.databaseUrl,
      AUTH_SECRET: randomBytes(24).toString("hex"),
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      MAP_TILE_URL: "none",
      MAP_ROAD_NETWORK: "builtin",
      LOG_LEVEL: "warn",
      ...options.env,
    },
    output: (chunk) => output.push(chunk.toString()),
    // BENCH_PROFILE=dir: the web app's CPU profile over its life goes to dir/web.
    nodeArgs: [
      ...WEB_NODE_FLAGS,
      ...(profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}/web`] : []),
    ],
  });
  while ((await httpStatus(`${base}/health/ready`)) !== 200) {
    if (process.child.exitCode !== null) throw new Error(`web exited:\n${output.join("")}`);
    await sleep(250);
  }
  return { base, process, output };
}

/** Signs the admin in over HTTP and returns the session cookie. */
export async function signIn(base: string): Promise<string> {
  const response = await fetch(`${base}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: base },
    body: JSON.stringify(ADMIN),
  });
  if (!response.ok) throw new Error(`sign-in: ${response.status} ${await response.text()}`);
  return response.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

/** Trucks the web app holds, from its /metrics (signed in). */
export async function trucksHeld(base: string, cookie: string): Promise<number> {
  const metrics = await (await fetch(`${base}/metrics`, { headers: { cookie } })).text();
  return Number(/^fleetstream_web_trucks (\d+)/m.exec(metrics)?.[1] ?? 0);
}

/** An API key (viewer) for socket.io clients, made with the admin's session. */
export async function apiKey(base: string, cookie: string, name: string): Promise<string> {
  const response = await fetch(`${base}/api/keys`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: base, cookie },
    body: JSON.stringify({ name, role: "viewer" }),
  });
  if (!response.ok) throw new Error(`api key: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}
