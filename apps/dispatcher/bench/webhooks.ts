/**
 * `npm run bench -- webhooks`: webhook deliveries per second to a local receiver, and
 * alert-raised → webhook-received latency (p50/p99) at 200 alerts/s, for the dispatcher and, in
 * the same run, a naive baseline (one awaited request per delivery on a new connection, no
 * pooling, each delivery written on its own). Both read truck_geofence_alerts on real Kafka and
 * store deliveries in PostgreSQL before sending. Last line: one JSON object.
 *
 * Env: KAFKA_BROKERS and DATABASE_URL (default: infra/'s local services, started if needed,
 * honouring KAFKA_PORT and PGPORT), BENCH_ALERTS (5000), BENCH_ENDPOINTS (4),
 * BENCH_LATENCY_SECONDS (15).
 */
import { execFileSync } from "node:child_process";
import { request as httpRequest } from "node:http";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { decodeJson, GeofenceAlert, TOPICS } from "@fleetstream/contracts";
import { openDatabase, type PrismaClient } from "@fleetstream/db";
import { scratchDatabases } from "@fleetstream/db/testing";
import { createEventLog, type EventLog } from "@fleetstream/eventlog";
import { createLogger, type Service } from "@fleetstream/service";
import {
  alertPayload,
  createSigner,
  createWebhookStore,
  DispatcherSettings,
  LOOPBACK_TARGETS,
  newDelivery,
  parseAllowList,
} from "@fleetstream/webhooks";
import { createDispatcher } from "../src/dispatcher";
import { seekGroupToEnd } from "../test/support";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const ALERTS = Number(process.env.BENCH_ALERTS ?? 5_000);
const ENDPOINTS = Number(process.env.BENCH_ENDPOINTS ?? 4);
const LATENCY_SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 15);
const LATENCY_RATE = 200; // alerts per second
const NAIVE_ALERTS = Math.max(100, Math.round(ALERTS / 5));

const log = (line: string) => process.stdout.write(`${line}\n`);

function services(): { brokers: string; databaseUrl: string } {
  if (process.env.KAFKA_BROKERS && process.env.DATABASE_URL) {
    return { brokers: process.env.KAFKA_BROKERS, databaseUrl: process.env.DATABASE_URL };
  }
  log("starting the local Kafka broker and PostgreSQL (infra/up.sh)");
  const printed = execFileSync("bash", ["infra/up.sh"], {
    cwd: ROOT,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  const env = Object.fromEntries(
    [...printed.matchAll(/^export (\w+)=(.*)$/gm)].map(([, name, value]) => [name, value]),
  );
  return { brokers: env.KAFKA_BROKERS ?? "", databaseUrl: env.DATABASE_URL ?? "" };
}

// ---- the receiver (worker thread) ------------------------------------------------------------

interface ReceiverStats {
  count: number;
  unique: number;
  latencies: number[];
}

async function startReceiver() {
  const worker = new Worker(new URL("./receiver-worker.mjs", import.meta.url));
  const port = await new Promise<number>((resolve) =>
    worker.once("message", (message: { port: number }) => resolve(message.port)),
  );
  const stats = () =>
    new Promise<ReceiverStats>((resolve) => {
      worker.once("message", (message: ReceiverStats) => resolve(message));
      worker.postMessage("stats");
    });
  return {
    url: (path: string) => `http://127.0.0.1:${port}/${path}`,
    stats,
    reset: () => worker.postMessage("reset"),
    close: async () => {
      worker.postMessage("close");
      await worker.terminate();
    },
  };
}

type Receiver = Awaited<ReturnType<typeof startReceiver>>;

async function waitForCount(receiver: Receiver, count: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stats = await receiver.stats();
    if (stats.unique >= count || Date.now() > deadline) return stats;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// ---- alerts ----------------------------------------------------------------------------------

let serial = 0;
function alertsNow(n: number, fence: string): GeofenceAlert[] {
  const now = Date.now();
  return Array.from({ length: n }, () => {
    serial += 1;
    const truckId = `bench-${serial % 500}`;
    return {
      v: 1,
      id: `${truckId}/${fence}/ENTER/${now}-${serial}`,
      kind: "ENTER",
      truckId,
      geofenceId: fence,
      geofenceVersion: 1,
      eventTime: now,
      since: now - 20_000,
      seq: serial,
      lat: 52.1,
      lon: 5.1,
      speedKmh: 50.5,
    };
  });
}

async function publish(eventLog: EventLog, alerts: GeofenceAlert[]) {
  const producer = eventLog.producer();
  try {
    for (let i = 0; i < alerts.length; i += 1_000) {
      await producer.send(
        TOPICS.truckGeofenceAlerts.name,
        alerts.slice(i, i + 1_000).map((a) => ({ key: a.truckId, value: JSON.stringify(a) })),
      );
    }
  } finally {
    await producer.close();
  }
}

// ---- the naive baseline ----------------------------------------------------------------------

/**
 * What a first version would do: for each alert and endpoint, insert the delivery, then one
 * awaited POST on a new connection (no keep-alive, no pool), then write its result; one at a
 * time.
 */
function createNaiveDispatcher(deps: {
  eventLog: EventLog;
  prisma: PrismaClient;
  groupId: string;
}): Service {
  const { eventLog, prisma, groupId } = deps;
  const consumer = eventLog.consumer({
    groupId,
    topics: [TOPICS.truckGeofenceAlerts.name],
    eachBatch: async (batch) => {
      for (const record of batch.records) {
        const decoded = decodeJson(GeofenceAlert, record.value);
        if (!decoded.ok) continue;
        const endpoints = await prisma.webhookEndpoint.findMany({ where: { enabled: true } });
        for (const endpoint of endpoints) {
          if (record.timestamp < endpoint.createdAt.getTime()) continue;
          const { type, body } = alertPayload(decoded.value, { name: "Bench", tags: [] });
          const row = newDelivery({
            endpointId: endpoint.id,
            eventId: decoded.value.id,
            type,
            body,
            now: new Date(),
          });
          await prisma.webhookDelivery.createMany({ data: [row], skipDuplicates: true });
          const attemptedAt = new Date();
          const started = performance.now();
          const status = await post(endpoint.url, body, {
            ...createSigner([endpoint.secret])(row.id, body, attemptedAt),
          });
          await prisma.webhookAttempt.create({
            data: {
              deliveryId: row.id,
              endpointId: endpoint.id,
              attemptedAt,
              statusCode: status,
              latencyMs: Math.round(performance.now() - started),
              succeeded: status >= 200 && status < 300,
            },
          });
          await prisma.webhookDelivery.update({
            where: { id: row.id },
            data: {
              status: "succeeded",
              attempts: 1,
              lastStatusCode: status,
              finishedAt: new Date(),
            },
          });
        }
      }
    },
  });
  return { start: () => consumer.start(), stop: () => consumer.stop() };
}

function post(url: string, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: "POST", agent: false, headers: { ...headers, "content-type": "application/json" } },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

// ---- one measured run ------------------------------------------------------------------------

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

async function measure(options: {
  label: string;
  eventLog: EventLog;
  receiver: Receiver;
  start: (groupId: string) => Promise<Service>;
  alerts: number;
  endpoints: number;
  fence: string;
}) {
  const { eventLog, receiver, label } = options;
  const groupId = `bench-webhooks-${label}-${Date.now()}`;
  await seekGroupToEnd(eventLog, groupId);
  const service = await options.start(groupId);
  try {
    // Throughput: a backlog of alerts published at once, every endpoint wants each.
    receiver.reset();
    const total = options.alerts * options.endpoints;
    const started = performance.now();
    await publish(eventLog, alertsNow(options.alerts, options.fence));
    const done = await waitForCount(receiver, total, 300_000);
    const seconds = (performance.now() - started) / 1_000;
    const rate = done.unique / seconds;
    log(
      `${label}: ${done.unique}/${total} deliveries in ${seconds.toFixed(2)} s = ${rate.toFixed(0)}/s`,
    );

    // Latency: alerts at a steady 200/s, published as raised, each wanted by every endpoint.
    receiver.reset();
    const latencyTotal = LATENCY_RATE * LATENCY_SECONDS * options.endpoints;
    const tickMs = 50;
    const perTick = (LATENCY_RATE * tickMs) / 1_000;
    const producer = eventLog.producer();
    const end = Date.now() + LATENCY_SECONDS * 1_000;
    let next = Date.now();
    while (Date.now() < end) {
      await producer.send(
        TOPICS.truckGeofenceAlerts.name,
        alertsNow(perTick, options.fence).map((a) => ({
          key: a.truckId,
          value: JSON.stringify(a),
        })),
      );
      next += tickMs;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - Date.now())));
    }
    await producer.close();
    // A dispatcher that keeps up has delivered within moments; one that does not gets 30 s more.
    const stats = await waitForCount(receiver, latencyTotal, 30_000);
    const sorted = [...stats.latencies].sort((a, b) => a - b);
    const p50 = percentile(sorted, 50);
    const p99 = percentile(sorted, 99);
    log(
      `${label}: ${stats.unique}/${latencyTotal} deliveries at ${LATENCY_RATE} alerts/s × ${options.endpoints} endpoints: p50 ${p50} ms, p99 ${p99} ms`,
    );
    return { rate, p50, p99, delivered: stats.unique, expected: latencyTotal };
  } finally {
    await service.stop();
  }
}

// ---- main ------------------------------------------------------------------------------------

const { brokers, databaseUrl } = services();
const scratch = scratchDatabases(databaseUrl);
const db = await openDatabase({ url: await scratch.create() });
await db.migrate();
const eventLog = createEventLog({ clientId: "bench-webhooks", brokers: brokers.split(",") });
await eventLog.ensureTopics([TOPICS.truckGeofenceAlerts]);
const receiver = await startReceiver();
const allow = parseAllowList(LOOPBACK_TARGETS);
const store = createWebhookStore({ prisma: db.prisma, allow });
const logger = createLogger("bench", "warn");

async function endpoints(label: string, count: number) {
  // Each run its own endpoints (and so its own deliveries): created now, they get only new alerts.
  await db.prisma.webhookEndpoint.updateMany({ data: { enabled: false } });
  for (let i = 0; i < count; i++) {
    const created = await store.create({ url: receiver.url(`${label}/${i}`) });
    if (!created.ok) throw new Error(created.message);
  }
}

const loadBefore = loadavg()[0] ?? 0;
try {
  await endpoints("dispatcher", ENDPOINTS);
  const fast = await measure({
    label: "dispatcher",
    eventLog,
    receiver,
    alerts: ALERTS,
    endpoints: ENDPOINTS,
    fence: "bench-fence",
    start: async (groupId) => {
      const dispatcher = createDispatcher({
        eventLog,
        prisma: db.prisma,
        logger,
        config: {
          settings: DispatcherSettings.parse({
            WEBHOOK_ALLOWED_TARGETS: LOOPBACK_TARGETS,
            DISPATCHER_GROUP_ID: groupId,
          }),
          partitions: 5,
        },
      });
      await dispatcher.start();
      return dispatcher;
    },
  });
  await endpoints("naive", ENDPOINTS);
  const naive = await measure({
    label: "naive",
    eventLog,
    receiver,
    alerts: NAIVE_ALERTS,
    endpoints: ENDPOINTS,
    fence: "bench-fence",
    start: async (groupId) => {
      const service = createNaiveDispatcher({ eventLog, prisma: db.prisma, groupId });
      await service.start();
      return service;
    },
  });
  log(
    JSON.stringify({
      bench: "webhooks",
      metric: "deliveries_per_s",
      value: Math.round(fast.rate),
      unit: "deliveries/s",
      baseline: Math.round(naive.rate),
      ratio: Math.round((fast.rate / naive.rate) * 100) / 100,
      load: `${LATENCY_RATE} alerts/s × ${ENDPOINTS} endpoints for ${LATENCY_SECONDS} s`,
      p50_ms: fast.p50,
      p99_ms: fast.p99,
      baseline_p50_ms: naive.p50,
      baseline_p99_ms: naive.p99,
      baseline_delivered: `${naive.delivered}/${naive.expected}`,
      throughput_backlog: `${ALERTS} alerts × ${ENDPOINTS} endpoints`,
      // Other work on this shared 2-core machine skews every number: the 1-minute load average.
      loadavg_start: Math.round(loadBefore * 10) / 10,
      loadavg_end: Math.round((loadavg()[0] ?? 0) * 10) / 10,
    }),
  );
} finally {
  await receiver.close();
  await eventLog.close();
  await db.close();
  await scratch.dropAll();
}
