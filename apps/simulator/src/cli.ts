import { readFileSync } from "node:fs";
import { TOPICS } from "@fleetstream/contracts";
import { createEventLog, type EventLog } from "@fleetstream/eventlog";
import { ConfigError, type KafkaSecurity, kafkaSecurity } from "@fleetstream/service";
import { Command, Option } from "commander";
import { MALFORMED_KINDS } from "./domain/codec";
import { NO_FAULTS } from "./domain/faults";
import {
  completeFixes,
  isTruckId,
  parseCsv,
  parseGpx,
  parseNdjsonLine,
  type ReplayRecord,
  replayEmissions,
  shiftTimes,
} from "./domain/replay";
import { parseRouteFile } from "./domain/routes";
import { arraySource, type RecordSource } from "./domain/stream";
import { loadEnv } from "./env";
import {
  buildReplayConfig,
  buildRunConfig,
  type CommonOutput,
  checkFaultTotal,
  DEFAULT_TOPIC,
  type Environment,
  type RawReplayOptions,
  type RawRunOptions,
  UsageError,
} from "./io/options";
import { formatStatus, formatSummary, RateMeter, type RunSummary } from "./io/report";
import { type Pacing, Runner, type RunOutcome } from "./io/runner";
import { NdjsonSink, ProducerSink, type Sink } from "./io/sink";
import { WorkerProducerSink } from "./io/worker-sink";
import { errorMessage, planRun, randomSeed, runSummary } from "./simulator";

const NAME = "fleet-sim";

/** An option with a default shown as written (commander quotes string defaults otherwise). */
const opt = (flags: string, description: string, fallback: string) =>
  new Option(flags, description).default(fallback, fallback);

/** Prints one line on stderr and exits: 2 for usage errors, 1 otherwise. */
function die(message: string, code = 1): never {
  process.stderr.write(`${NAME}: ${message}\n`);
  process.exit(code);
}

function environment(): Environment {
  try {
    const env = loadEnv();
    return {
      ...(env.KAFKA_BROKERS ? { kafkaBrokers: env.KAFKA_BROKERS } : {}),
      kafkaSecurity: kafkaSecurity(env),
      now: Date.now(),
      randomSeed,
    };
  } catch (error) {
    if (error instanceof ConfigError) die(error.message, 2);
    throw error;
  }
}

interface Output {
  sink: Sink;
  eventLog?: EventLog;
  target: Pick<RunSummary, "target" | "topic" | "brokers">;
}

/** Connects to Kafka and makes sure the topic exists, or exits with one line. */
async function openOutput(
  out: CommonOutput,
  threads: number,
  security: KafkaSecurity = {},
): Promise<Output> {
  if (out.to === "stdout")
    return { sink: new NdjsonSink(process.stdout), target: { target: "stdout" } };
  const eventLog = createEventLog({ clientId: NAME, brokers: out.brokers, security });
  try {
    await eventLog.ensureTopics([
      { ...TOPICS.gpsFixes, name: out.topic, partitions: out.partitions },
    ]);
  } catch (error) {
    await eventLog.close().catch(() => {});
    const message = errorMessage(error);
    die(
      message.startsWith("Cannot reach Kafka")
        ? message
        : `Kafka at ${out.brokers.join(",")}: ${message}`,
    );
  }
  // The topic may exist with another partition count than --partitions: ask the broker.
  const partitions = threads > 0 ? (await eventLog.offsets(out.topic)).length : 0;
  const sink =
    threads > 0
      ? new WorkerProducerSink({
          brokers: out.brokers,
          security,
          clientId: NAME,
          topic: out.topic,
          threads,
          partitions,
        })
      : new ProducerSink(eventLog.producer(), out.topic);
  return { sink, eventLog, target: { target: "kafka", topic: out.topic, brokers: out.brokers } };
}

/**
 * Runs to the end or to SIGINT/SIGTERM (first signal: stop, send what is held back, wait for
 * acknowledgements; second: exit at once), with a live status line on a terminal.
 */
async function execute(
  runner: Runner,
  output: Output,
  out: CommonOutput,
  summarize: (outcome: RunOutcome) => RunSummary,
): Promise<never> {
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) die(`second ${signal}, exiting without waiting for acknowledgements`, 130);
    runner.stop();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  const live = out.status && out.to === "kafka" && process.stdout.isTTY && process.stderr.isTTY;
  const meter = new RateMeter();
  const status = live
    ? setInterval(() => {
        const progress = runner.progress();
        const rate = meter.sample(progress.elapsedMs, progress.sent);
        process.stderr.write(`\r\x1b[2K${formatStatus(progress, rate)}`);
      }, 250)
    : undefined;

  const outcome = await runner.run();
  if (status) {
    clearInterval(status);
    process.stderr.write("\r\x1b[2K");
  }
  let closeError: unknown;
  await output.sink.close().catch((error: unknown) => {
    closeError = error;
  });
  await output.eventLog?.close().catch(() => {});
  const final =
    outcome.reason !== "error" && closeError !== undefined
      ? { reason: "error" as const, error: closeError }
      : outcome;
  const summary = summarize(final);
  process.stderr.write(`${out.json ? JSON.stringify(summary) : formatSummary(summary)}\n`);
  process.exit(final.reason === "error" ? 1 : 0);
}

async function runCommand(raw: RawRunOptions): Promise<void> {
  const env = environment();
  const config = buildRunConfig(raw, env);
  checkFaultTotal(config.faults);
  let routes: ReturnType<typeof parseRouteFile> | undefined;
  if (config.routesFile) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(config.routesFile, "utf8"));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      die(
        `--routes ${config.routesFile}: ${code === "ENOENT" ? "no such file" : errorMessage(error)}`,
        2,
      );
    }
    try {
      routes = parseRouteFile(json, config.routesFile);
    } catch (error) {
      die(errorMessage(error), 2);
    }
  }
  const plan = planRun(
    {
      trucks: config.trucks,
      intervalMs: config.intervalMs,
      speedup: config.speedup,
      ...(config.rate !== undefined ? { rate: config.rate } : {}),
      seed: config.seed,
      startTime: config.startTime,
      gpsNoiseM: config.gpsNoiseM,
      faults: config.faults,
      ...(routes ? { routes, routesSource: config.routesFile } : {}),
      ...(config.count !== undefined ? { count: config.count } : {}),
      ...(config.durationMs !== undefined ? { durationMs: config.durationMs } : {}),
    },
    env.now,
  );
  const loadMode = config.rate !== undefined;
  const output = await openOutput(config, loadMode ? config.producers : 0, env.kafkaSecurity);
  const runner = new Runner({
    source: plan.stream,
    sink: output.sink,
    pacing: plan.pacing,
    batchSize: config.batchSize,
    ...(plan.wallDurationMs !== undefined ? { durationMs: plan.wallDurationMs } : {}),
  });
  await execute(runner, output, config, (outcome) =>
    runSummary(plan, runner, outcome, output.target),
  );
}

function readReplay(file: string, format: string, truckId: string): ReplayRecord[] {
  const text = readFileSync(file === "-" ? 0 : file, "utf8");
  const source = file === "-" ? "stdin" : file;
  if (format === "ndjson") {
    const records: ReplayRecord[] = [];
    for (const line of text.split("\n")) {
      const record = parseNdjsonLine(line);
      if (record) records.push(record);
    }
    return records;
  }
  const partials =
    format === "csv" ? parseCsv(text, source, truckId) : parseGpx(text, source, truckId);
  return completeFixes(partials, source);
}

async function replayCommand(file: string, raw: RawReplayOptions): Promise<void> {
  const env = environment();
  const config = buildReplayConfig(file, raw, env);
  if (!isTruckId(config.truckId)) {
    die(`--truck-id may hold letters, digits and _ . : - only (got "${config.truckId}")`, 2);
  }
  let records: ReplayRecord[];
  try {
    records = readReplay(config.file, config.format, config.truckId);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    die(code === "ENOENT" ? `${file}: no such file` : errorMessage(error), 2);
  }
  if (records.length === 0) die(`${file}: no records to replay`, 2);
  const firstTime = records.find((r) => r.eventTime !== undefined)?.eventTime;
  if (config.shiftToNow && firstTime !== undefined)
    records = shiftTimes(records, env.now - firstTime);
  const emissions = replayEmissions(records);
  const source: RecordSource = arraySource(emissions);
  const startTime = emissions[0]?.emitAt ?? 0;
  const pacing: Pacing =
    config.speedup === Number.POSITIVE_INFINITY
      ? { kind: "rate", perSecond: Number.POSITIVE_INFINITY }
      : { kind: "realtime", speedup: config.speedup, startTime };
  const output = await openOutput(config, 0, env.kafkaSecurity);
  const runner = new Runner({ source, sink: output.sink, pacing });
  await execute(runner, output, config, (outcome) => {
    const progress = runner.progress();
    return {
      command: "replay",
      stoppedBy: outcome.reason,
      ...output.target,
      sent: progress.sent,
      failed: progress.failed,
      elapsedMs: Math.round(progress.elapsedMs),
      ratePerSecond: progress.elapsedMs > 0 ? (progress.sent * 1000) / progress.elapsedMs : 0,
      generated: records.length,
      ...(emissions[0] ? { startTime: new Date(startTime).toISOString() } : {}),
      ...(outcome.error !== undefined ? { error: errorMessage(outcome.error) } : {}),
    };
  });
}

const RUN_EXAMPLES = `
Examples:
  Demo: 50 trucks in the Netherlands, one fix per truck every 20 s, in real time
    $ fleet-sim run
  Demo at 10x speed for 5 minutes, 200 trucks
    $ fleet-sim run --trucks 200 --speedup 10 --duration 5m
  Load test: 50,000 records/s for one minute
    $ fleet-sim run --rate 50000 --duration 1m
  Fault drill: 1% duplicates, 2% reordered, 0.5% late, 1% malformed, 1% dropped
    $ fleet-sim run --speedup 20 --duplicate-rate 0.01 --reorder-rate 0.02 \\
        --late-rate 0.005 --malformed-rate 0.01 --drop-rate 0.01 --json
  Inspect: the same 1,000 records on every run, as NDJSON
    $ fleet-sim run --to stdout --rate max --count 1000 --seed 7 --start-time 2026-01-01T00:00:00Z | head
  Your own roads (GeoJSON LineStrings)
    $ fleet-sim run --routes my-routes.geojson --trucks 20

Records go to Kafka topic ${DEFAULT_TOPIC} (key = truckId), brokers from --brokers or
KAFKA_BROKERS (default 127.0.0.1:9092). The summary goes to stderr at exit. Ctrl-C stops
cleanly: records held back are sent and every send is acknowledged before exit.`;

const REPLAY_EXAMPLES = `
Examples:
  Replay a capture at its original pace
    $ fleet-sim replay fixes.ndjson
  10x faster, onto the live map with event times moved to now
    $ fleet-sim replay trip.gpx --speedup 10 --shift-to-now --truck-id T-GPX
  As fast as possible, to stdout (e.g. to convert CSV to NDJSON)
    $ fleet-sim replay fixes.csv --fast --to stdout > fixes.ndjson

NDJSON lines are replayed byte for byte (invalid ones too). CSV needs a header with lat, lon,
a time column (eventTime/timestamp: epoch ms, epoch s or ISO-8601) and usually truckId; seq,
speed and heading are derived when missing. GPX: each <trk> is a truck, named by its <name>.`;

function outputOptions(command: Command): Command {
  return command
    .addOption(
      new Option("--to <target>", "where records go: kafka or stdout (NDJSON)").default("kafka"),
    )
    .option(
      "--brokers <list>",
      "Kafka brokers, host:port[,host:port] (default: KAFKA_BROKERS or 127.0.0.1:9092)",
    )
    .option("--topic <name>", "Kafka topic", DEFAULT_TOPIC)
    .addOption(
      opt(
        "--partitions <n>",
        "partitions when the topic has to be created",
        String(TOPICS.gpsFixes.partitions),
      ),
    )
    .option("--json", "print the exit summary as one JSON line (on stderr)")
    .option("--no-status", "no live status line (it is shown only on a terminal anyway)");
}

export function buildProgram(): Command {
  const program = new Command(NAME)
    .description("Simulated GPS truck fleet for demos, load tests and fault drills (Fleetstream).")
    .version("0.1.0")
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({
      outputError: (text, write) => write(`${NAME}: ${text.replace(/^error: /, "")}`),
    });

  outputOptions(
    program
      .command("run")
      .description("drive a simulated fleet and produce its GPS fixes")
      .addOption(opt("--trucks <n>", "number of trucks", "50"))
      .addOption(
        opt("--interval <duration>", "simulated time between two fixes of one truck", "20s"),
      )
      .option(
        "--speedup <x>",
        "time compression: simulated seconds per wall-clock second (default 1)",
      )
      .option("--rate <n>", 'load mode: records per second whatever the fleet size, or "max"')
      .option("--duration <duration>", "stop after this long (wall clock; e.g. 90s, 5m, 1h)")
      .option("--count <n>", "stop after n fixes (records sent = n when no faults are injected)")
      .option("--seed <n>", "PRNG seed (default: random, printed in the summary)")
      .addOption(opt("--start-time <time>", "simulated start: now, ISO-8601 or epoch ms", "now"))
      .addOption(opt("--gps-noise <metres>", "GPS position noise, sd per axis in metres", "4"))
      .option("--routes <file.geojson>", "drive these LineStrings instead of the built-in region"),
  )
    .addOption(opt("--producers <n>", "producer threads in load mode (--rate)", "2"))
    .addOption(opt("--batch-size <n>", "most records per Kafka request", "4000"))
    .addOption(opt("--duplicate-rate <p>", "fault: send a fix twice", "0"))
    .addOption(opt("--reorder-rate <p>", "fault: hold a fix back up to --reorder-window", "0"))
    .addOption(
      opt("--reorder-window <duration>", "longest hold for reordered fixes (simulated)", "60s"),
    )
    .addOption(opt("--late-rate <p>", "fault: deliver a fix --late-by after its event time", "0"))
    .addOption(opt("--late-by <duration>", "how late a late fix is (simulated; up to 1.5x)", "10m"))
    .addOption(
      opt("--malformed-rate <p>", "fault: replace a fix by a record the contract rejects", "0"),
    )
    .option(
      "--malformed-kinds <list>",
      `which breakages (default all: ${MALFORMED_KINDS.join(",")})`,
    )
    .addOption(opt("--drop-rate <p>", "fault: never send a fix (a gap in seq)", "0"))
    .addOption(opt("--silence-rate <p>", "fault: a truck goes silent, per fix", "0"))
    .addOption(
      opt(
        "--silence-for <duration>",
        "how long a silent truck stays silent (simulated)",
        `${NO_FAULTS.silenceForMs / 60_000}m`,
      ),
    )
    .addHelpText("after", RUN_EXAMPLES)
    .action((options: RawRunOptions) => runCommand(options));

  outputOptions(
    program
      .command("replay")
      .description("send the fixes of an NDJSON, CSV or GPX file, at their original pace")
      .argument("<file>", 'file to replay ("-" reads NDJSON from stdin)')
      .option("--speedup <x>", "time compression (default 1: original timing)")
      .option("--fast", "no waiting: as fast as the target takes them")
      .option("--format <format>", "ndjson, csv or gpx (default: from the file extension)")
      .option("--shift-to-now", "move event times so the first record happens now")
      .addOption(
        opt(
          "--truck-id <id>",
          "truck id for CSV rows without one and GPX tracks without a name",
          "GPX-1",
        ),
      ),
  )
    .addHelpText("after", REPLAY_EXAMPLES)
    .action((file: string, options: RawReplayOptions) => replayCommand(file, options));

  program.addHelpText(
    "after",
    `
Examples:
  $ fleet-sim run                                   live demo (50 trucks, real time)
  $ fleet-sim run --rate 50000 --duration 1m        load test
  $ fleet-sim run --drop-rate 0.01 --late-rate 0.01 fault drill
  $ fleet-sim replay capture.ndjson --speedup 10    replay a recording
Run "fleet-sim <command> --help" for every option.`,
  );
  return program;
}

export async function main(argv: readonly string[]): Promise<void> {
  try {
    await buildProgram().parseAsync([...argv]);
  } catch (error) {
    if (error instanceof UsageError) die(error.message, 2);
    die(errorMessage(error));
  }
}
