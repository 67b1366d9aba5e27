/**
 * `npm run bench -- pipeline-lag [--rate 10000] [--seconds 60] [--warmup 15] [--trucks 50000]
 * [--fences 1000] [--lanes split|one]`: how far behind the processor runs under a steady load. The processor (its own
 * process, fresh database, 1,000 geofences) is running and caught up; fleet-sim then produces
 * `rate` fixes per second for `warmup` + `seconds`, and the fixes of the last `seconds` are
 * measured: the first seconds are a cold process meeting every truck of the fleet for the first
 * time (its state, V8's compilation), reported apart (warmupAppliedP99). For every fix: produce
 * time = its Kafka record timestamp;
 *  - applied: the processor published its position (processedAt on truck_positions);
 *  - stored: its row is in position_fixes (received_at: the checkpoint's transaction).
 * Baseline, same run and load: Kafka alone, produce time to a plain reader receiving the record.
 * The processor runs as the stack runs it: a positions + geofence lane and a speed-windows lane,
 * each its own process (`--lanes one`: one process with every operator); the run ends when every
 * lane has caught up.
 * Last line: one JSON object; value = p99 applied (ms), with p50s and the stored latencies.
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { type GpsFix, TOPICS, type TruckPosition } from "@fleetstream/contracts";
import { openDatabase } from "@fleetstream/db";
import { scratchDatabases } from "@fleetstream/db/testing";
import { createEventLog, type Reader } from "@fleetstream/eventlog";
import { commitGroupOffsets } from "../test/support";
import {
  benchFences,
  checkpointed,
  deleteFences,
  deleteLeftoverFences,
  log,
  percentile,
  processorLanes,
  publishFences,
  services,
  simulate,
  startProcessorLanes,
} from "./lib/pipeline-stack";

const { values } = parseArgs({
  options: {
    rate: { type: "string", default: "10000" },
    seconds: { type: "string", default: "60" },
    warmup: { type: "string", default: "15" },
    trucks: { type: "string", default: "50000" },
    fences: { type: "string", default: "1000" },
    lanes: { type: "string", default: "split" },
  },
});
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const WARMUP_SECONDS = Number(values.warmup);
const TRUCKS = Number(values.trucks);
const run = randomBytes(3).toString("hex");
const TARGET_P99_MS = 2_000;

const { brokers, databaseUrl } = services();
const eventLog = createEventLog({ clientId: `bench-lag-${run}`, brokers });
const scratch = scratchDatabases(databaseUrl);
const fences = benchFences(run, Number(values.fences), Date.now() - 3_600_000);

const stats = (samples: number[]) => {
  const sorted = samples.sort((a, b) => a - b);
  return {
    p50: Math.round(percentile(sorted, 50)),
    p99: Math.round(percentile(sorted, 99)),
    n: sorted.length,
  };
};

async function main() {
  await eventLog.ensureTopics([TOPICS.gpsFixes, TOPICS.truckPositions]);
  const leftover = await deleteLeftoverFences(eventLog);
  if (leftover > 0) log(`deleted ${leftover} bench fences an interrupted run had left live`);
  await publishFences(eventLog, fences);
  const url = await scratch.create();
  const db = await openDatabase({ url });
  await db.migrate();
  const lanes = processorLanes(values.lanes, `bench-lag-${run}`);
  const start = await eventLog.offsets(TOPICS.gpsFixes.name);
  for (const lane of lanes) await commitGroupOffsets(lane.groupId, TOPICS.gpsFixes.name, start);

  // Produce times of this run's fixes, and what Kafka alone takes to deliver them (baseline).
  const produced = new Map<string, number>();
  const kafkaOnly: number[] = [];
  const applied: number[] = [];
  // Per 10 s of the run (by produce time): where in the run the slow fixes were.
  const appliedBySlice: number[][] = [];
  const warmupApplied: number[] = [];
  // Fixes produced from here on are measured (set when the load starts).
  let measureFrom = Number.POSITIVE_INFINITY;
  const readers: Reader[] = [
    eventLog.reader({
      topics: [TOPICS.gpsFixes.name],
      startFrom: "latest",
      maxBatchSize: 10_000,
      eachBatch: async (batch) => {
        const now = Date.now();
        for (const r of batch.records) {
          const fix = JSON.parse(String(r.value)) as GpsFix;
          produced.set(`${fix.truckId}|${fix.seq}`, r.timestamp);
          if (r.timestamp >= measureFrom) kafkaOnly.push(now - r.timestamp);
        }
      },
    }),
    eventLog.reader({
      topics: [TOPICS.truckPositions.name],
      startFrom: "latest",
      maxBatchSize: 10_000,
      eachBatch: async (batch) => {
        for (const r of batch.records) {
          const p = JSON.parse(String(r.value)) as TruckPosition;
          const at = produced.get(`${p.truckId}|${p.seq}`);
          if (at === undefined) continue;
          if (at < measureFrom) {
            warmupApplied.push(p.processedAt - at);
            continue;
          }
          applied.push(p.processedAt - at);
          const slice = Math.floor((at - measureFrom) / 10_000);
          appliedBySlice[slice] ??= [];
          appliedBySlice[slice].push(p.processedAt - at);
        }
      },
    }),
  ];
  for (const reader of readers) await reader.start();

  const processors = startProcessorLanes(lanes, {
    DATABASE_URL: url,
    PROCESSOR_GROUP_ID: `bench-lag-${run}`,
    KAFKA_SESSION_TIMEOUT_MS: "30000",
  });
  try {
    // Ready: it has made a first checkpoint of a probe fix.
    const probe = {
      truckId: `lag-probe-${run}`,
      seq: 1,
      lat: 52,
      lon: 5,
      speedKmh: 1,
      headingDeg: 0,
      eventTime: Date.now(),
    };
    const producer = eventLog.producer();
    await producer.send(TOPICS.gpsFixes.name, [
      { key: probe.truckId, value: JSON.stringify(probe) },
    ]);
    await producer.close();
    for (const began = Date.now(); ; ) {
      const rows = await db.sql.query("SELECT 1 FROM position_fixes WHERE truck_id = $1", [
        probe.truckId,
      ]);
      if (rows.length > 0) break;
      if (Date.now() - began > 120_000) throw new Error("the processor did not start in 2 minutes");
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    applied.length = 0;
    appliedBySlice.length = 0;
    kafkaOnly.length = 0;
    warmupApplied.length = 0;
    measureFrom = Date.now() + WARMUP_SECONDS * 1000;
    log(
      `lag bench ${run}: ${RATE} fixes/s for ${WARMUP_SECONDS} s of warm-up and ${SECONDS} s measured, ${TRUCKS} trucks, ${fences.length} geofences`,
    );
    await simulate(
      [
        "--trucks",
        String(TRUCKS),
        "--rate",
        String(RATE),
        "--duration",
        `${WARMUP_SECONDS + SECONDS}s`,
        "--seed",
        "11",
        "--partitions",
        String(TOPICS.gpsFixes.partitions),
        // One producer thread keeps 10,000 fixes/s; a second only takes CPU from what is measured.
        "--producers",
        "1",
      ],
      brokers,
    );
    // Let it catch up, then read when each fix was stored.
    const ends = await eventLog.offsets(TOPICS.gpsFixes.name);
    for (const began = Date.now(); ; ) {
      const at = await Promise.all(lanes.map((lane) => checkpointed(db.sql, lane.groupId)));
      if (at.every((lane) => ends.every((e) => (lane.get(e.partition) ?? 0) >= e.high))) break;
      if (Date.now() - began > 600_000)
        throw new Error("the processor did not catch up in 10 minutes");
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const rows = await db.sql.query<{ truck_id: string; seq: string; received: number }>(
      `SELECT truck_id, seq, (extract(epoch FROM received_at) * 1000)::float8 AS received
       FROM position_fixes`,
    );
    const stored: number[] = [];
    for (const row of rows) {
      const at = produced.get(`${row.truck_id}|${row.seq}`);
      if (at !== undefined && at >= measureFrom) stored.push(row.received - at);
    }
    const a = stats(applied);
    const s = stats(stored);
    const k = stats(kafkaOnly);
    const result = {
      bench: "pipeline-lag",
      metric: `p99 of fix produced -> applied by the processor (position published), at ${RATE} fixes/s after ${WARMUP_SECONDS} s of warm-up`,
      value: a.p99,
      unit: "ms",
      baseline: k.p99,
      ratio: Number((a.p99 / Math.max(1, k.p99)).toFixed(2)),
      target: TARGET_P99_MS,
      meetsTarget: a.p99 < TARGET_P99_MS && s.p99 < TARGET_P99_MS,
      appliedP50: a.p50,
      appliedP99: a.p99,
      storedP50: s.p50,
      storedP99: s.p99,
      kafkaOnlyP50: k.p50,
      kafkaOnlyP99: k.p99,
      rate: RATE,
      seconds: SECONDS,
      warmupSeconds: WARMUP_SECONDS,
      warmupAppliedP99: stats(warmupApplied).p99,
      appliedP99Per10s: Array.from(appliedBySlice, (slice) => stats(slice ?? []).p99),
      samplesApplied: a.n,
      samplesStored: s.n,
      fixes: produced.size,
      trucks: TRUCKS,
      geofences: fences.length,
      lanes: values.lanes,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    for (const processor of processors) await processor.kill("SIGTERM");
    for (const reader of readers) await reader.stop();
    await db.close();
  }
}

try {
  await main();
} finally {
  await deleteFences(eventLog, fences).catch(() => {});
  await scratch.dropAll().catch(() => {});
  await eventLog.close().catch(() => {});
}
