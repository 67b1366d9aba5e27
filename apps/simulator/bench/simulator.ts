/**
 * `npm run bench -- simulator`: events per second the simulator produces to the local Kafka
 * (load mode: producer threads, batched sends, acks from all in-sync replicas, idempotent), against
 * a naive producer that awaits one send per message, on fresh topics in the same run.
 * Last line: one JSON object (bench, metric, value, unit, baseline, ratio, ...).
 *
 * Env: KAFKA_BROKERS (default 127.0.0.1:9092; then no broker is started), BENCH_SECONDS (15).
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createEventLog, type EventLog } from "@fleetstream/eventlog";
import { createEventStream } from "../src/domain/stream";
import { Runner } from "../src/io/runner";
import { ProducerSink, type Sink } from "../src/io/sink";
import { WorkerProducerSink } from "../src/io/worker-sink";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const brokers = (process.env.KAFKA_BROKERS ?? "127.0.0.1:9092").split(",").map((b) => b.trim());
const seconds = Number(process.env.BENCH_SECONDS ?? 15);
const TARGET = 50_000;
const PARTITIONS = 5;
const THREADS = 2;
const BATCH = 4_000;

const log = (line: string) => process.stdout.write(`${line}\n`);

async function freshTopic(eventLog: EventLog, label: string): Promise<string> {
  const name = `bench_simulator_${label}_${Date.now()}`;
  await eventLog.ensureTopics([{ name, partitions: PARTITIONS, owner: "simulator" }]);
  return name;
}

async function recordsIn(eventLog: EventLog, topic: string): Promise<number> {
  const offsets = await eventLog.offsets(topic);
  return offsets.reduce((sum, p) => sum + p.high - p.low, 0);
}

const stream = (seed: number) =>
  createEventStream({ trucks: 50, intervalMs: 20_000, startTime: Date.now(), seed, gpsNoiseM: 4 });

/** The naive baseline: one message per send, each awaited before the next. */
async function naive(
  eventLog: EventLog,
  durationMs: number,
): Promise<{ rate: number; events: number }> {
  const topic = await freshTopic(eventLog, "naive");
  const producer = eventLog.producer();
  const source = stream(1);
  await producer.send(topic, [{ key: "warmup", value: "{}" }]);
  const started = performance.now();
  let events = 0;
  while (performance.now() - started < durationMs) {
    const record = source.next();
    if (!record) break;
    await producer.send(topic, [{ key: record.key, value: record.value }]);
    events++;
  }
  const elapsed = performance.now() - started;
  await producer.close();
  return { rate: (events * 1000) / elapsed, events };
}

/** The simulator's own path: generator -> Runner (rate max) -> sink, for `durationMs`. */
async function batched(
  eventLog: EventLog,
  label: string,
  sinkFor: (topic: string) => Sink,
  durationMs: number,
): Promise<{ rate: number; events: number; verified: boolean }> {
  const topic = await freshTopic(eventLog, label);
  const sink = sinkFor(topic);
  // Warm up connections and JIT on a short run to the same topic, then measure a fresh run.
  const warm = new Runner({
    source: stream(2),
    sink,
    pacing: { kind: "rate", perSecond: Number.POSITIVE_INFINITY },
    durationMs: 1_500,
    batchSize: BATCH,
  });
  await warm.run();
  const before = sink.acked;
  const runner = new Runner({
    source: stream(3),
    sink,
    pacing: { kind: "rate", perSecond: Number.POSITIVE_INFINITY },
    durationMs,
    batchSize: BATCH,
  });
  const progress = setInterval(() => {
    const p = runner.progress();
    log(
      `  ${label}: ${(p.sent - before).toLocaleString("en-US")} acknowledged after ${(p.elapsedMs / 1000).toFixed(0)}s`,
    );
  }, 5_000);
  const outcome = await runner.run();
  clearInterval(progress);
  const { elapsedMs } = runner.progress();
  await sink.close();
  if (outcome.reason === "error") throw outcome.error;
  const events = sink.acked - before;
  const inTopic = await recordsIn(eventLog, topic);
  return { rate: (events * 1000) / elapsedMs, events, verified: inTopic === sink.acked };
}

async function main(): Promise<void> {
  if (!process.env.KAFKA_BROKERS) {
    log("starting the local Kafka broker (infra/kafka.sh start)");
    execFileSync("bash", ["infra/kafka.sh", "start"], {
      cwd: ROOT,
      stdio: ["ignore", "inherit", "inherit"],
    });
  }
  const eventLog = createEventLog({ clientId: "bench-simulator", brokers });
  try {
    log(`baseline: one awaited send per message for 5s (brokers ${brokers.join(",")})`);
    const base = await naive(eventLog, 5_000);
    log(
      `  naive: ${Math.round(base.rate).toLocaleString("en-US")} events/s (${base.events} events)`,
    );

    log(`in-process producer: batches of ${BATCH}, 4 sends in flight, ${Math.min(8, seconds)}s`);
    const single = await batched(
      eventLog,
      "inprocess",
      (topic) => new ProducerSink(eventLog.producer(), topic, 4),
      Math.min(8, seconds) * 1000,
    );
    log(`  in-process: ${Math.round(single.rate).toLocaleString("en-US")} events/s`);

    log(
      `load mode (fleet-sim run --rate max): ${THREADS} producer threads, batches of ${BATCH}, ${seconds}s`,
    );
    const load = await batched(
      eventLog,
      "load",
      (topic) =>
        new WorkerProducerSink({
          brokers,
          security: {},
          clientId: "bench-simulator",
          topic,
          threads: THREADS,
          partitions: PARTITIONS,
        }),
      seconds * 1000,
    );
    log(
      `  load mode: ${Math.round(load.rate).toLocaleString("en-US")} events/s (${load.events.toLocaleString("en-US")} events; topic holds every acknowledged record: ${load.verified})`,
    );
    const value = Math.round(load.rate);
    const baseline = Math.round(base.rate);
    log(
      JSON.stringify({
        bench: "simulator",
        metric: "events_per_second",
        value,
        unit: "events/s",
        baseline,
        ratio: Number((value / baseline).toFixed(1)),
        target: TARGET,
        meetsTarget: value >= TARGET,
        events: load.events,
        verified: load.verified && single.verified,
        inProcessEventsPerSecond: Math.round(single.rate),
        producerThreads: THREADS,
        batchSize: BATCH,
        partitions: PARTITIONS,
        acks: "all",
        idempotent: true,
      }),
    );
  } finally {
    await eventLog.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `bench simulator: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  },
);
