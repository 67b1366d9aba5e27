import { randomInt } from "node:crypto";
import type { Producer } from "@fleetstream/eventlog";
import type { Logger } from "@fleetstream/service";
import { anyFaults, type FaultOptions, NO_FAULTS } from "./domain/faults";
import type { Leg } from "./domain/leg";
import { MAX_SEED } from "./domain/random";
import { shuttlePlanner } from "./domain/routes";
import { createEventStream, type EventStream } from "./domain/stream";
import type { RunSummary } from "./io/report";
import { type Pacing, Runner, type RunOutcome } from "./io/runner";
import { ProducerSink, type Sink } from "./io/sink";

/** Settings of a simulated run (what `fleet-sim run` takes, minus where records go). */
export interface SimulationOptions {
  /** Number of trucks (default 50). */
  trucks: number;
  /** Simulated time between two fixes of one truck, ms (default 20,000). */
  intervalMs: number;
  /** Time compression in realtime mode: 10 = ten simulated seconds per second (default 1). */
  speedup: number;
  /** Load mode: records per second regardless of fleet size (Infinity = as fast as possible). */
  rate?: number;
  /** PRNG seed; random when absent (the summary reports it). */
  seed?: number;
  /** Simulated start, epoch ms; default: now, when the run starts. */
  startTime?: number;
  /** GPS noise, metres (sd per axis; default 4). */
  gpsNoiseM: number;
  /** Faults to inject; all off by default. */
  faults?: Partial<FaultOptions>;
  /** Routes from a route file (parseRouteFile); default: the built-in region. */
  routes?: readonly Leg[];
  /** Label for the routes in the summary (e.g. the file name). */
  routesSource?: string;
  /** Stop after this many generated fixes. */
  count?: number;
  /** Stop after this long: simulated time x speedup in realtime mode, wall time in load mode. */
  durationMs?: number;
}

export const DEFAULT_SIMULATION_OPTIONS: SimulationOptions = {
  trucks: 50,
  intervalMs: 20_000,
  speedup: 1,
  gpsNoiseM: 4,
};

export const randomSeed = () => randomInt(0, MAX_SEED);

/** A prepared run: the record stream and how to pace it. */
export interface PlannedRun {
  stream: EventStream;
  pacing: Pacing;
  /** Wall-clock limit (load mode only; realtime limits are in simulated time). */
  wallDurationMs?: number;
  seed: number;
  startTime: number;
  faults: FaultOptions;
  options: SimulationOptions;
}

/** Turns options into a deterministic record stream plus pacing. */
export function planRun(options: SimulationOptions, now: number): PlannedRun {
  const seed = options.seed ?? randomSeed();
  const startTime = options.startTime ?? now;
  const faults = { ...NO_FAULTS, ...options.faults };
  const realtime = options.rate === undefined;
  const stream = createEventStream({
    trucks: options.trucks,
    intervalMs: options.intervalMs,
    startTime,
    seed,
    gpsNoiseM: options.gpsNoiseM,
    ...(options.routes
      ? { planner: shuttlePlanner(options.routes, options.routesSource ?? "route file") }
      : {}),
    ...(anyFaults(faults) ? { faults } : {}),
    ...(options.count !== undefined ? { maxFixes: options.count } : {}),
    ...(realtime && options.durationMs !== undefined
      ? { endTime: startTime + options.durationMs * options.speedup }
      : {}),
  });
  const pacing: Pacing = realtime
    ? { kind: "realtime", speedup: options.speedup, startTime }
    : { kind: "rate", perSecond: options.rate ?? Number.POSITIVE_INFINITY };
  return {
    stream,
    pacing,
    ...(!realtime && options.durationMs !== undefined
      ? { wallDurationMs: options.durationMs }
      : {}),
    seed,
    startTime,
    faults,
    options,
  };
}

/** Builds the summary of a simulated run. */
export function runSummary(
  plan: PlannedRun,
  runner: Runner,
  outcome: RunOutcome | undefined,
  target: Pick<RunSummary, "target" | "topic" | "brokers">,
): RunSummary {
  const progress = runner.progress();
  const { stream, options } = plan;
  // A realtime run limited by --duration ends when its simulated end time is reached.
  const byDuration =
    outcome?.reason === "completed" &&
    options.durationMs !== undefined &&
    (options.count === undefined || stream.generated < options.count);
  return {
    command: "run",
    stoppedBy: byDuration ? "duration" : (outcome?.reason ?? "running"),
    ...target,
    sent: progress.sent,
    failed: progress.failed,
    elapsedMs: Math.round(progress.elapsedMs),
    ratePerSecond: progress.elapsedMs > 0 ? (progress.sent * 1000) / progress.elapsedMs : 0,
    generated: stream.generated,
    seed: plan.seed,
    startTime: new Date(plan.startTime).toISOString(),
    trucks: options.trucks,
    intervalMs: options.intervalMs,
    region: stream.fleet.description,
    simulatedMs: Math.max(0, (progress.simTime ?? plan.startTime) - plan.startTime),
    ...(stream.faults ? { injected: structuredClone(stream.faults.counts) } : {}),
    ...(outcome?.error !== undefined ? { error: errorMessage(outcome.error) } : {}),
  };
}

export const errorMessage = (error: unknown) =>
  error instanceof Error ? error.message : String(error);

export interface SimulatorDeps {
  producer: Producer;
  topic: string;
  options?: Partial<SimulationOptions>;
  logger?: Logger;
}

export interface Simulator {
  /** Starts the fleet in the background; resolves once it runs. */
  start(): Promise<void>;
  /** Ends the run: sends what is held back, waits for every acknowledgement. */
  stop(): Promise<void>;
  summary(): RunSummary;
  /** Settles when the run ends (by count/duration, stop(), or a failed send). */
  readonly done: Promise<RunOutcome>;
}

/**
 * The realtime fleet for the embedded launcher: 50 trucks reporting every 20 s of simulated
 * time by default, produced through the given event-log producer until stopped. The producer
 * stays open (its owner closes it).
 */
export function createSimulator(deps: SimulatorDeps): Simulator {
  const options: SimulationOptions = { ...DEFAULT_SIMULATION_OPTIONS, ...deps.options };
  let plan: PlannedRun | undefined;
  let runner: Runner | undefined;
  let outcome: RunOutcome | undefined;
  let resolveDone!: (outcome: RunOutcome) => void;
  const done = new Promise<RunOutcome>((resolve) => {
    resolveDone = resolve;
  });
  const sink: Sink = new ProducerSink(deps.producer, deps.topic);
  const target = { target: "kafka", topic: deps.topic };

  return {
    done,
    async start() {
      if (runner) throw new Error("the simulator was already started");
      plan = planRun(options, Date.now());
      runner = new Runner({
        source: plan.stream,
        sink,
        pacing: plan.pacing,
        ...(plan.wallDurationMs !== undefined ? { durationMs: plan.wallDurationMs } : {}),
      });
      deps.logger?.info(
        {
          trucks: options.trucks,
          intervalMs: options.intervalMs,
          speedup: options.speedup,
          seed: plan.seed,
          topic: deps.topic,
          region: plan.stream.fleet.description,
        },
        "simulator started",
      );
      void runner.run().then((result) => {
        outcome = result;
        if (result.reason === "error") {
          deps.logger?.error({ err: result.error }, "simulator stopped: a send failed");
        }
        resolveDone(result);
      });
    },
    async stop() {
      if (!runner || !plan) return;
      runner.stop();
      await done;
      deps.logger?.info(runSummary(plan, runner, outcome, target), "simulator stopped");
    },
    summary() {
      if (!runner || !plan) {
        return {
          command: "run",
          stoppedBy: "running",
          ...target,
          sent: 0,
          failed: 0,
          elapsedMs: 0,
          ratePerSecond: 0,
          generated: 0,
        };
      }
      return runSummary(plan, runner, outcome, target);
    },
  };
}
