/**
 * `npm run bench -- pipeline [--fixes N] [--trucks N] [--fences N] [--processes N] [--lanes split|one]`: the whole processor on real
 * Kafka and PostgreSQL. Pre-fills the GPS topic with 1,000,000 fixes of 50,000 simulated trucks
 * (fleet-sim), publishes 1,000 geofences, then runs the processor as its own process (or N of them
 * in one consumer group) on a fresh
 * database and measures the sustained applied rate: fixes whose checkpoint is written (stored in
 * PostgreSQL with their alerts, windows and state) per second between 10% and 90% of the input.
 * The processor runs as the stack runs it, in two lanes (positions + geofence alerts, speed
 * windows: each its own process and consumer group; `--lanes one`: every operator in one); a
 * fix counts as applied once every lane has checkpointed it.
 *
 * In the same run, with nothing else running, the two limits it is compared with:
 *  - consumer: a plain kafkajs eachBatch consumer that only JSON-parses and zod-validates;
 *  - copy: COPY of the same rows into a scratch table (pg-copy-streams).
 * Last line: one JSON object (bench, metric, value, unit, baseline = the smaller limit, ratio,
 * both limits, partitions, CPU seconds of the processor per 1,000 fixes, ...).
 */
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";
import { decodeGpsFix, type GpsFix, TOPICS } from "@fleetstream/contracts";
import { openDatabase } from "@fleetstream/db";
import { scratchDatabases } from "@fleetstream/db/testing";
import { createEventLog } from "@fleetstream/eventlog";
import { Kafka, logLevel } from "kafkajs";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { commitGroupOffsets } from "../test/support";
import {
  benchFences,
  checkpointed,
  cpuSeconds,
  deleteFences,
  deleteLeftoverFences,
  log,
  processorLanes,
  publishFences,
  services,
  simulate,
  startProcessorLanes,
} from "./lib/pipeline-stack";

const { values } = parseArgs({
  options: {
    fixes: { type: "string", default: "1000000" },
    trucks: { type: "string", default: "50000" },
    fences: { type: "string", default: "1000" },
    partitions: { type: "string", default: "5" },
    /** Processors in the consumer group, each its own process (they split the partitions). */
    processes: { type: "string", default: "1" },
    lanes: { type: "string", default: "split" },
  },
});
const FIXES = Number(values.fixes);
const TRUCKS = Number(values.trucks);
const FENCES = Number(values.fences);
const PARTITIONS = Number(values.partitions);
const PROCESSES = Number(values.processes);
const run = randomBytes(3).toString("hex");
// The simulated clock starts at the whole minute before now: fences of earlier runs (valid by
// event time until they were deleted) cannot match this run's fixes.
const START = Math.floor(Date.now() / 60_000) * 60_000 - 60_000;

const { brokers, databaseUrl } = services();
const eventLog = createEventLog({ clientId: `bench-pipeline-${run}`, brokers });
const scratch = scratchDatabases(databaseUrl);
const fences = benchFences(run, FENCES, START - 3_600_000);

/** Sum over partitions of (offset - start). */
const covered = (at: Map<number, number>, start: Map<number, number>) =>
  [...start].reduce((sum, [p, from]) => sum + Math.max(0, (at.get(p) ?? from) - from), 0);

/** Baseline 1: kafkajs alone, JSON.parse + zod, from `start` until `total` records. */
async function consumerOnly(start: Map<number, number>, total: number) {
  const groupId = `bench-consumer-${run}`;
  await commitGroupOffsets(
    groupId,
    TOPICS.gpsFixes.name,
    [...start].map(([partition, high]) => ({ partition, high })),
  );
  const kafka = new Kafka({ clientId: groupId, brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({
    groupId,
    maxBytesPerPartition: 4 * 1024 * 1024,
    maxBytes: 16 * 1024 * 1024,
  });
  const fixes: GpsFix[] = [];
  let seen = 0;
  let started = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPICS.gpsFixes.name });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      if (started === 0) started = performance.now();
      for (const message of batch.messages) {
        const decoded = decodeGpsFix(message.value);
        if (decoded.ok && fixes.length < total) fixes.push(decoded.value);
        seen++;
      }
      if (seen >= total) done();
    },
  });
  await finished;
  const seconds = (performance.now() - started) / 1000;
  await consumer.disconnect();
  return { rate: seen / seconds, fixes };
}

/** Baseline 2: COPY of the same rows into a scratch table shaped like position_fixes. */
async function copyOnly(url: string, fixes: readonly GpsFix[]) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`CREATE TABLE fixes_copy (truck_id text, event_time timestamptz(3), seq bigint,
    lat float8, lon float8, speed_kmh float8, heading_deg float8, accuracy_m float8,
    PRIMARY KEY (truck_id, event_time, seq))`);
  const lines = function* () {
    let chunk = "";
    for (const f of fixes) {
      chunk += `${f.truckId}\t${new Date(f.eventTime).toISOString()}\t${f.seq}\t${f.lat}\t${f.lon}\t${f.speedKmh}\t${f.headingDeg}\t${f.accuracyM ?? "\\N"}\n`;
      if (chunk.length > 1 << 16) {
        yield chunk;
        chunk = "";
      }
    }
    if (chunk) yield chunk;
  };
  const started = performance.now();
  await pipeline(Readable.from(lines()), client.query(copyFrom("COPY fixes_copy FROM STDIN")));
  const seconds = (performance.now() - started) / 1000;
  await client.end();
  return { rate: fixes.length / seconds };
}

async function main() {
  await eventLog.ensureTopics([{ ...TOPICS.gpsFixes, partitions: PARTITIONS }]);
  const before = new Map(
    (await eventLog.offsets(TOPICS.gpsFixes.name)).map((o) => [o.partition, o.high]),
  );
  log(`pipeline bench ${run}: ${FENCES} geofences, pre-filling ${FIXES} fixes of ${TRUCKS} trucks`);
  const leftover = await deleteLeftoverFences(eventLog);
  if (leftover > 0) log(`deleted ${leftover} bench fences an interrupted run had left live`);
  await publishFences(eventLog, fences);
  await simulate(
    [
      "--trucks",
      String(TRUCKS),
      "--rate",
      "max",
      "--count",
      String(FIXES),
      "--seed",
      "7",
      "--start-time",
      new Date(START).toISOString(),
      "--partitions",
      String(PARTITIONS),
    ],
    brokers,
  );
  const after = new Map(
    (await eventLog.offsets(TOPICS.gpsFixes.name)).map((o) => [o.partition, o.high]),
  );
  const total = covered(after, before);
  log(`pre-filled ${total} records`);

  log("limit 1: kafkajs consumer, parse + validate only");
  const consumer = await consumerOnly(before, total);
  log(`  ${Math.round(consumer.rate)} records/s`);
  log("limit 2: COPY into a scratch table");
  const copyUrl = await scratch.create();
  const copy = await copyOnly(copyUrl, consumer.fixes);
  log(`  ${Math.round(copy.rate)} rows/s`);
  consumer.fixes.length = 0;

  const lanes = processorLanes(values.lanes, `bench-processor-${run}`);
  log(
    `the processor, ${lanes.length} lane(s) of ${PROCESSES} process(es) each in its consumer group, on a fresh database`,
  );
  const url = await scratch.create();
  const db = await openDatabase({ url });
  await db.migrate();
  for (const lane of lanes)
    await commitGroupOffsets(
      lane.groupId,
      TOPICS.gpsFixes.name,
      [...before].map(([partition, high]) => ({ partition, high })),
    );
  const processors = startProcessorLanes(
    lanes,
    {
      DATABASE_URL: url,
      PROCESSOR_GROUP_ID: `bench-processor-${run}`,
      GPS_TOPIC_PARTITIONS: String(PARTITIONS),
      KAFKA_SESSION_TIMEOUT_MS: "30000",
    },
    PROCESSES,
  );
  const cpu = () => processors.reduce((sum, p) => sum + cpuSeconds(p.child.pid as number), 0);
  // done: applied by every lane; byLane: by each (which one holds the rest back).
  const samples: { at: number; done: number; byLane: number[]; cpu: number }[] = [];
  const began = performance.now();
  for (;;) {
    const byLane = (await Promise.all(lanes.map((lane) => checkpointed(db.sql, lane.groupId)))).map(
      (at) => covered(at, before),
    );
    const done = Math.min(...byLane);
    samples.push({ at: performance.now(), done, byLane, cpu: cpu() });
    if (samples.length % 20 === 0)
      log(
        `  ${done} / ${total} (${Math.round((done * 1000) / (performance.now() - began))}/s so far)`,
      );
    if (done >= total) break;
    if (performance.now() - began > 30 * 60_000)
      throw new Error("the processor did not finish in 30 minutes");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  /** The first sample where `progress` had passed `share` of the input. */
  const passed = (share: number, progress: (s: (typeof samples)[number]) => number) =>
    samples.find((s) => progress(s) >= share * total) as (typeof samples)[number];
  const [p10, p90] = [passed(0.1, (s) => s.done), passed(0.9, (s) => s.done)];
  const rate = ((p90.done - p10.done) * 1000) / (p90.at - p10.at);
  const cpuPer1000 = ((p90.cpu - p10.cpu) / (p90.done - p10.done)) * 1000;
  // Each lane's own rate between the moments it passed 10% and 90% of the input.
  const laneRates = lanes.map((lane, i) => {
    const ofLane = (s: (typeof samples)[number]) => s.byLane[i] as number;
    const [from, to] = [passed(0.1, ofLane), passed(0.9, ofLane)];
    return {
      lane: lane.operators?.join(",") ?? "all",
      fixesPerS: Math.round(((ofLane(to) - ofLane(from)) * 1000) / (to.at - from.at)),
    };
  });
  const [stored, alerts, windows, finals] = await Promise.all([
    db.sql.query<{ n: string }>("SELECT count(*) AS n FROM position_fixes"),
    db.sql.query<{ n: string }>("SELECT count(*) AS n FROM geofence_alerts"),
    db.sql.query<{ n: string }>("SELECT count(*) AS n FROM truck_speed_windows"),
    db.sql.query<{ n: string }>("SELECT count(*) AS n FROM truck_speed_windows WHERE final"),
  ]);
  await Promise.all(processors.map((p) => p.kill("SIGTERM")));
  if (process.env.BENCH_KEEP_DB)
    log(`kept database ${url}; input from ${JSON.stringify(Object.fromEntries(before))}`);
  await db.close();

  const baseline = Math.min(consumer.rate, copy.rate);
  const result = {
    bench: "pipeline",
    metric:
      "fixes applied per second (stored with alerts, windows and state), 10%..90% of the input",
    value: Math.round(rate),
    unit: "fixes/s",
    baseline: Math.round(baseline),
    ratio: Number((rate / baseline).toFixed(3)),
    target: 25_000,
    meetsTarget: rate >= 25_000,
    consumerOnly: Math.round(consumer.rate),
    copyOnly: Math.round(copy.rate),
    partitions: PARTITIONS,
    processes: PROCESSES,
    lanes: values.lanes,
    laneRates,
    fixes: total,
    trucks: TRUCKS,
    geofences: FENCES,
    cpuSecondsPer1000Fixes: Number(cpuPer1000.toFixed(4)),
    wallSeconds: Number((((samples.at(-1)?.at ?? began) - began) / 1000).toFixed(1)),
    stored: Number(stored[0]?.n),
    alerts: Number(alerts[0]?.n),
    truckWindows: Number(windows[0]?.n),
    finalTruckWindows: Number(finals[0]?.n),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

try {
  await main();
} finally {
  // Whatever happened: no bench fences left for later runs and the dashboard.
  await deleteFences(eventLog, fences).catch(() => {});
  if (!process.env.BENCH_KEEP_DB) await scratch.dropAll().catch(() => {});
  await eventLog.close().catch(() => {});
}
