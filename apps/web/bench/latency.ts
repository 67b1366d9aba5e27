/**
 * `npm run bench -- latency [--loads 0,2000,10000] [--seconds 30] [--trucks 50000]
 * [--stream viewport|fleet] [--lanes split|one|live]`: how soon a fix shows in a browser. The
 * processor (in the stack's two lanes, each its own process; `--lanes one`: one process; `--lanes
 * live`: the positions + alerts lane only, without speed windows) and the web app run
 * as their own processes on infra/'s Kafka and PostgreSQL (fresh database and consumer groups); a
 * socket.io client signs in as a browser does and takes the console's stream: a map view around
 * the probe truck, which it follows as a selected truck (`--stream fleet`: the whole-fleet
 * stream of every update, v1, the dashboard before the viewport stream). A probe truck of its own
 * sends a fix every 100–200 ms; for each load, fleet-sim produces that many background fixes per
 * second (to settle: until every truck has reported once, plus 5 s; then `seconds` measured).
 * For every probe fix: produce time = its Kafka record timestamp → the socket.io client receiving
 * it (or a newer fix of the probe, which replaces it on screen).
 * Baseline, same run and load: Kafka alone, produce time → a plain reader of the probe's
 * partition receiving the probe record (as pipeline-lag). Last line: one JSON object; value = p99
 * at 2,000 fixes/s (ms), with every load's p50/p99 and the baseline's, and where the time went
 * (produced → processed by the processor, processed → socket: the web app) for the probe fixes
 * sent on their own.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { loadavg } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import {
  decodePositions,
  type FleetStreamBatch,
  type GpsFix,
  TOPICS,
  type TruckPosition,
} from "@fleetstream/contracts";
import { scratchDatabases } from "@fleetstream/db/testing";
import { createEventLog, partitionForKey } from "@fleetstream/eventlog";
import { freePort, httpStatus, startAppProcess } from "@fleetstream/service/testing";
import { io } from "socket.io-client";
// The processor benchmarks' stack: local services, fleet-sim and the processor as processes.
import {
  log,
  percentile,
  processorLanes,
  services,
  simulate,
  startProcessorLanes,
} from "../../processor/bench/lib/pipeline-stack";
import { commitGroupOffsets, repoRoot } from "../../processor/test/support";
import { WEB_NODE_FLAGS } from "../src/node-flags";

const { values } = parseArgs({
  options: {
    loads: { type: "string", default: "0,2000,10000" },
    seconds: { type: "string", default: "30" },
    trucks: { type: "string", default: "50000" },
    stream: { type: "string", default: "viewport" },
    lanes: { type: "string", default: "split" },
  },
});
if (values.stream !== "viewport" && values.stream !== "fleet")
  throw new Error(`--stream must be viewport or fleet, not ${values.stream}`);
const VIEWPORT_STREAM = values.stream === "viewport";
const LOADS = values.loads.split(",").map(Number);
const SECONDS = Number(values.seconds);
const TRUCKS = Number(values.trucks);
const SETTLE_S = 5;
/**
 * Seconds before a load is measured: until every background truck has reported once (a fleet that
 * has been running: its first fixes add 50,000 new trucks to every state and view, 25 s at
 * 2,000 fixes/s), then SETTLE_S. The probes before are reported apart (`appearing*`).
 */
const settleSeconds = (rate: number) => (rate > 0 ? Math.ceil(TRUCKS / rate) + SETTLE_S : SETTLE_S);
const TARGETS_P99_MS = new Map([
  [2_000, 100],
  [10_000, 250],
]);
const run = randomBytes(3).toString("hex");
const PROBE = `latency-probe-${run}`;
const ADMIN = { email: "bench@fleetstream.local", password: randomBytes(12).toString("hex") };

const { brokers, databaseUrl } = services();
const eventLog = createEventLog({ clientId: `bench-latency-${run}`, brokers });
const scratch = scratchDatabases(databaseUrl);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/**
 * BENCH_PROFILE=dir: CPU profiles of the web app go to dir/web (the processor lanes':
 * dir/processor-<lane>). BENCH_WEB_NODE_ARGS: more node flags for the web app (e.g. --trace-gc).
 */
const profileArgs = (app: string): string[] =>
  process.env.BENCH_PROFILE
    ? ["--cpu-prof", `--cpu-prof-dir=${path.join(process.env.BENCH_PROFILE, app)}`]
    : [];

/** Per probe fix (by seq): the load it was sent under, produce time, Kafka and socket receipt. */
interface Probe {
  load: number;
  measured: boolean;
  producedAt?: number;
  kafkaAt?: number;
  shownAt?: number;
  /** Shown by a newer fix of the probe (this one was never sent on its own). */
  superseded?: boolean;
  /** The processor's processedAt of the position shown (where the time went: before or after). */
  processedAt?: number;
  /** Its position on truck_positions: the record's timestamp (the processor's send), and when a
   * plain reader got it (when the web app could have). */
  publishedAt?: number;
  positionReadAt?: number;
}
const probes = new Map<number, Probe>();

/**
 * The 3 slowest probes shown, each with when it was produced (s into the load's probes, and UTC
 * to match with the services' logs) and where its time went: a p99 of ~200 probes is their
 * second-slowest, so these say what the p99 is made of.
 */
function slowestProbes(mine: Probe[]): string[] {
  const shown = mine.filter(
    (p): p is Probe & { producedAt: number; shownAt: number } =>
      p.producedAt !== undefined && p.shownAt !== undefined,
  );
  const first = Math.min(...shown.map((p) => p.producedAt));
  const ms = (from: number | undefined, to: number | undefined) =>
    from === undefined || to === undefined ? "?" : String(Math.round(to - from));
  const total = (p: { producedAt: number; shownAt: number }) => p.shownAt - p.producedAt;
  return shown
    .sort((a, b) => total(b) - total(a))
    .slice(0, 3)
    .map((p) => {
      const at = `+${((p.producedAt - first) / 1000).toFixed(1)} s (${new Date(p.producedAt).toISOString().slice(11, 23)})`;
      const parts = `processed ${ms(p.producedAt, p.processedAt)}, sent ${ms(p.processedAt, p.publishedAt)}, read ${ms(p.publishedAt, p.positionReadAt)}, socket ${ms(p.positionReadAt, p.shownAt)}`;
      // A superseded probe's processedAt and records are the newer fix's that replaced it.
      return `${at} ${total(p)} ms (${p.superseded ? "shown by a newer fix" : parts})`;
    });
}

const stats = (samples: number[]) => {
  const sorted = samples.sort((a, b) => a - b);
  return { p50: Math.round(percentile(sorted, 50)), p99: Math.round(percentile(sorted, 99)) };
};

/** One status line, rewritten in place on a terminal (a line every 10 s otherwise). */
function statusLine(): { update(line: string): void; done(): void } {
  const tty = process.stderr.isTTY;
  let last = 0;
  return {
    update(line) {
      if (tty) process.stderr.write(`\r\x1b[2K${line}`);
      else if (Date.now() - last >= 10_000) {
        last = Date.now();
        log(line);
      }
    },
    done() {
      if (tty) process.stderr.write("\r\x1b[2K");
    },
  };
}

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number) {
  for (const began = Date.now(); !(await check()); await sleep(200)) {
    if (Date.now() - began > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
  }
}

async function main() {
  await eventLog.ensureTopics([TOPICS.gpsFixes, TOPICS.truckPositions]);
  if (!existsSync(path.join(repoRoot, "apps/web/.next/BUILD_ID"))) {
    log("latency bench: building the web app first (npm run build -w @fleetstream/web)");
    execFileSync("npm", ["run", "build", "-w", "@fleetstream/web"], {
      cwd: repoRoot,
      stdio: ["ignore", "ignore", "inherit"],
    });
  }
  const url = await scratch.create();
  const lanes = processorLanes(values.lanes, `bench-latency-${run}`);
  const ends = await eventLog.offsets(TOPICS.gpsFixes.name);
  for (const lane of lanes) await commitGroupOffsets(lane.groupId, TOPICS.gpsFixes.name, ends);
  const output = (name: string) => (chunk: Buffer) =>
    process.stderr.write(`[${name}] ${chunk.toString()}`);
  const processors = startProcessorLanes(lanes, {
    KAFKA_BROKERS: brokers.join(","),
    DATABASE_URL: url,
    PROCESSOR_GROUP_ID: `bench-latency-${run}`,
  });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const web = startAppProcess({
    entry: "apps/web/src/main.ts",
    cwd: repoRoot,
    env: {
      KAFKA_BROKERS: brokers.join(","),
      DATABASE_URL: url,
      PORT: String(port),
      HOST: "127.0.0.1",
      AUTH_SECRET: randomBytes(24).toString("hex"),
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      LOG_LEVEL: "warn",
    },
    output: output("web"),
    nodeArgs: [
      ...WEB_NODE_FLAGS,
      ...profileArgs("web"),
      ...(process.env.BENCH_WEB_NODE_ARGS ?? "").split(" ").filter(Boolean),
    ],
  });
  const producer = eventLog.producer();
  // Only the probe's partition of each topic: reading all 20,000 records/s at 10,000 fixes/s took
  // CPU from what is measured, on the same two cores.
  const probePartitions = [TOPICS.gpsFixes.name, TOPICS.truckPositions.name].map(async (topic) =>
    partitionForKey(PROBE, (await eventLog.offsets(topic)).length),
  );
  const reader = eventLog.reader({
    topics: [TOPICS.gpsFixes.name, TOPICS.truckPositions.name],
    partitions: [...new Set(await Promise.all(probePartitions))],
    startFrom: "latest",
    maxBatchSize: 10_000,
    eachBatch: async (batch) => {
      const now = Date.now();
      const fixes = batch.topic === TOPICS.gpsFixes.name;
      for (const r of batch.records) {
        if (r.key !== PROBE) continue;
        // A fix (gps_location_trucks) or its position (truck_positions): both carry the seq.
        const probe = probes.get((JSON.parse(String(r.value)) as Pick<GpsFix, "seq">).seq);
        if (!probe) continue;
        if (fixes) Object.assign(probe, { producedAt: r.timestamp, kafkaAt: now });
        else Object.assign(probe, { publishedAt: r.timestamp, positionReadAt: now });
      }
    },
  });
  let socket: ReturnType<typeof io> | undefined;
  let probing = true;
  let load = 0;
  let measuring = false;
  let seq = 0;
  let probeLoop: Promise<void> = Promise.resolve();
  try {
    await reader.start();
    await until(
      "the web app ready",
      async () => (await httpStatus(`${base}/health/ready`)) === 200,
      180_000,
    );
    // Signed in as the dashboard is: a session cookie from better-auth, sent with the socket.
    const signedIn = await fetch(`${base}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: base },
      body: JSON.stringify(ADMIN),
    });
    if (!signedIn.ok) throw new Error(`sign-in: ${signedIn.status} ${await signedIn.text()}`);
    const cookie = signedIn.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const client = io(base, {
      transports: ["websocket"],
      extraHeaders: { cookie, origin: base },
      reconnection: false,
      // As the console connects: its map's area (here around the probe, at street zoom) and the
      // selected truck (the probe) go with the handshake.
      auth: VIEWPORT_STREAM
        ? {
            fleet: "viewport",
            viewport: { west: 4.9, south: 51.9, east: 5.1, north: 52.2, zoom: 13, follow: [PROBE] },
          }
        : {},
    });
    socket = client;
    // A fix is on screen once it or a newer one of the probe is: the processor and the server
    // send only a truck's newest fix of a batch or push, so an older one may never travel alone.
    let firstUnshown = 1;
    const onPositions = (positions: readonly TruckPosition[]) => {
      const now = Date.now();
      for (const p of positions) {
        if (p.truckId !== PROBE) continue;
        for (; firstUnshown <= p.seq; firstUnshown++) {
          const probe = probes.get(firstUnshown);
          if (probe) {
            Object.assign(probe, {
              shownAt: now,
              superseded: firstUnshown < p.seq,
              processedAt: p.processedAt,
            });
          }
        }
      }
    };
    const onBatch = (batch: FleetStreamBatch) => onPositions(decodePositions(batch.positions));
    client.on("fleet:positions:v1", onPositions);
    client.on("fleet:view:v2", onBatch);
    client.on("fleet:changes:v2", onBatch);
    await new Promise<void>((resolve, reject) => {
      client.once(VIEWPORT_STREAM ? "fleet:view:v2" : "fleet:snapshot:v1", () => resolve());
      client.once("connect_error", reject);
    });

    // The probe: a fix every 100–200 ms (not a multiple of any timer) until the end.
    probeLoop = (async () => {
      while (probing) {
        seq += 1;
        probes.set(seq, { load, measured: measuring });
        const fix = {
          truckId: PROBE,
          seq,
          lat: 52 + seq / 1e5,
          lon: 5,
          speedKmh: 40,
          headingDeg: 0,
          eventTime: Date.now(),
        };
        await producer.send(TOPICS.gpsFixes.name, [{ key: PROBE, value: JSON.stringify(fix) }]);
        await sleep(100 + Math.random() * 100);
      }
    })();
    const shown = () => [...probes.values()].filter((p) => p.shownAt !== undefined).length;
    await until("a first probe fix on the socket (processor started)", () => shown() > 0, 180_000);
    log(
      `latency bench ${run}: loads ${LOADS.join(", ")} fixes/s, ${SECONDS} s each (after every truck reported once, +${SETTLE_S} s), ${TRUCKS} background trucks; load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}`,
    );

    const status = statusLine();
    for (const rate of LOADS) {
      load = rate;
      const settleS = settleSeconds(rate);
      const background =
        rate > 0
          ? simulate(
              [
                "--trucks",
                String(TRUCKS),
                "--rate",
                String(rate),
                "--duration",
                `${settleS + SECONDS + 1}s`,
                "--seed",
                "12",
                "--partitions",
                String(TOPICS.gpsFixes.partitions),
                // One producer thread keeps 10,000 fixes/s; a second only takes CPU from what is measured.
                "--producers",
                "1",
              ],
              brokers,
            )
          : Promise.resolve();
      const began = Date.now();
      for (let s = 0; s < settleS + SECONDS; s++) {
        measuring = s >= settleS;
        const mine = [...probes.values()].filter((p) => p.load === rate && p.measured);
        const seen = mine.filter((p) => p.shownAt !== undefined && p.producedAt !== undefined);
        const so = stats(seen.map((p) => (p.shownAt as number) - (p.producedAt as number)));
        status.update(
          `load ${rate} fixes/s: ${measuring ? `measuring ${s - settleS + 1}/${SECONDS} s` : `settling ${s + 1}/${settleS} s`}, probe fixes ${seen.length}/${mine.length} seen` +
            (seen.length > 0 ? `, p50 ${so.p50} ms, p99 ${so.p99} ms` : "") +
            `, load average ${loadavg()[0]?.toFixed(2)}`,
        );
        await sleep(began + (s + 1) * 1_000 - Date.now());
      }
      measuring = false;
      load = -1; // probes between loads count for none
      await background;
      await sleep(1_000); // the last measured probes arrive
    }
    status.done();
    probing = false;
    await probeLoop;

    const loads = LOADS.map((rate) => {
      const mine = [...probes.values()].filter((p) => p.load === rate && p.measured);
      const appearing = stats(
        [...probes.values()]
          .filter((p) => p.load === rate && !p.measured)
          .flatMap((p) =>
            p.producedAt !== undefined && p.shownAt !== undefined ? [p.shownAt - p.producedAt] : [],
          ),
      );
      const shownMs: number[] = [];
      const kafkaMs: number[] = [];
      // Fixes sent on their own: produce → processed (processor), processed → socket (web app).
      const processorMs: number[] = [];
      const webMs: number[] = [];
      // ...and the processed → socket part split at the position's record on truck_positions:
      // the processor's send, Kafka to a reader, that reader → the socket client (web app).
      const sendMs: number[] = [];
      const positionKafkaMs: number[] = [];
      const readerToSocketMs: number[] = [];
      for (const p of mine) {
        if (p.producedAt === undefined) continue;
        if (p.kafkaAt !== undefined) kafkaMs.push(p.kafkaAt - p.producedAt);
        if (p.shownAt === undefined) continue;
        shownMs.push(p.shownAt - p.producedAt);
        if (p.superseded || p.processedAt === undefined) continue;
        processorMs.push(p.processedAt - p.producedAt);
        webMs.push(p.shownAt - p.processedAt);
        if (p.publishedAt === undefined || p.positionReadAt === undefined) continue;
        sendMs.push(p.publishedAt - p.processedAt);
        positionKafkaMs.push(p.positionReadAt - p.publishedAt);
        readerToSocketMs.push(p.shownAt - p.positionReadAt);
      }
      const shown = stats(shownMs);
      const kafka = stats(kafkaMs);
      const processor = stats(processorMs);
      const web = stats(webMs);
      const send = stats(sendMs);
      const positionKafka = stats(positionKafkaMs);
      const readerToSocket = stats(readerToSocketMs);
      return {
        rate,
        p50: shown.p50,
        p99: shown.p99,
        kafkaOnlyP50: kafka.p50,
        kafkaOnlyP99: kafka.p99,
        processedP50: processor.p50,
        processedP99: processor.p99,
        processedToSocketP50: web.p50,
        processedToSocketP99: web.p99,
        processedToSentP50: send.p50,
        processedToSentP99: send.p99,
        sentToReaderP50: positionKafka.p50,
        sentToReaderP99: positionKafka.p99,
        readerToSocketP50: readerToSocket.p50,
        readerToSocketP99: readerToSocket.p99,
        probes: mine.length,
        supersededBeforeShown: mine.filter((p) => p.superseded).length,
        notShown: mine.length - shownMs.length,
        targetP99: TARGETS_P99_MS.get(rate) ?? null,
        settleSeconds: settleSeconds(rate),
        appearingP50: appearing.p50,
        appearingP99: appearing.p99,
        slowest: slowestProbes(mine),
      };
    });
    for (const l of loads) {
      log(
        `load ${l.rate} fixes/s, while settling (${l.settleSeconds} s: the fleet's first fixes): p50 ${l.appearingP50} ms, p99 ${l.appearingP99} ms`,
      );
      log(`load ${l.rate} fixes/s, slowest probes measured: ${l.slowest.join("; ")}`);
      log(
        `load ${l.rate} fixes/s: socket p50 ${l.p50} ms, p99 ${l.p99} ms; Kafka alone p50 ${l.kafkaOnlyP50} ms, p99 ${l.kafkaOnlyP99} ms; of that, produced → processed p50 ${l.processedP50} ms, p99 ${l.processedP99} ms, processed → socket p50 ${l.processedToSocketP50} ms, p99 ${l.processedToSocketP99} ms (processed → sent p50 ${l.processedToSentP50}/p99 ${l.processedToSentP99}, sent → a reader ${l.sentToReaderP50}/${l.sentToReaderP99}, reader → socket ${l.readerToSocketP50}/${l.readerToSocketP99}) (${l.probes} probe fixes, ${l.supersededBeforeShown} shown by a newer one, ${l.notShown} not shown)`,
      );
    }
    const main = loads.find((l) => l.rate === 2_000) ?? loads[loads.length - 1];
    if (!main) throw new Error("no load measured");
    const result = {
      bench: "latency",
      metric: `p99 of a probe fix produced to Kafka -> seen by a socket.io client (${VIEWPORT_STREAM ? "the console's stream: a map view, the probe selected" : "the whole-fleet stream"}), at ${main.rate} fixes/s of background load`,
      value: main.p99,
      unit: "ms",
      baseline: main.kafkaOnlyP99,
      ratio: Number((main.p99 / Math.max(1, main.kafkaOnlyP99)).toFixed(2)),
      meetsTargets: loads.every((l) => l.targetP99 === null || l.p99 < l.targetP99),
      loads,
      stream: values.stream,
      lanes: values.lanes,
      seconds: SECONDS,
      trucks: TRUCKS,
      loadAverageAtEnd: loadavg().map((l) => Number(l.toFixed(2))),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    probing = false;
    await probeLoop.catch(() => {});
    socket?.close();
    await reader.stop();
    await producer.close();
    await web.kill("SIGTERM");
    for (const processor of processors) await processor.kill("SIGTERM");
  }
}

try {
  await main();
} finally {
  await scratch.dropAll().catch(() => {});
  await eventLog.close().catch(() => {});
}
