import type { Emission } from "../domain/faults";
import type { RecordSource } from "../domain/stream";
import { OutputClosedError, type Sink } from "./sink";

/** How fast records go out: by simulated time (realtime x speedup) or at a fixed rate. */
export type Pacing =
  | { kind: "realtime"; speedup: number; startTime: number }
  | { kind: "rate"; perSecond: number };

export interface Clock {
  /** Monotonic milliseconds. */
  now(): number;
  /** Resolves after `ms`, or early when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener("abort", done, { once: true });
    }),
};

export type StopReason = "completed" | "duration" | "stopped" | "output-closed" | "error";

export interface RunOutcome {
  reason: StopReason;
  error?: unknown;
}

export interface RunnerOptions {
  source: RecordSource;
  sink: Sink;
  pacing: Pacing;
  /** Wall-clock limit, ms. */
  durationMs?: number;
  /** Most records per sink write (default 4,000: a few hundred KB per Kafka request). */
  batchSize?: number;
  clock?: Clock;
}

export interface RunProgress {
  /** Records handed to the sink. */
  queued: number;
  /** Records the sink acknowledged. */
  sent: number;
  failed: number;
  elapsedMs: number;
  /** Simulated send time of the last record handed over, epoch ms. */
  simTime: number | undefined;
}

/** A busy run yields to the event loop at least this often. */
const YIELD_EVERY_MS = 50;
/** Longest single sleep, so stop() and the duration limit are noticed promptly. */
const MAX_SLEEP_MS = 200;
/**
 * At a fixed rate, records go out in ticks of at least this long: 10,000 fixes/s sent every
 * millisecond (timers' floor) were a Kafka request per ~10 records and cost the producer
 * threads ~0.7 of a core; in 20 ms ticks a request carries ~200.
 */
const RATE_TICK_MS = 20;

/**
 * Moves records from a source to a sink at the pace asked for, in batches, with the sink's
 * backpressure bounding the work in flight. `stop()` ends generation, sends what is still held
 * back, and waits for every acknowledgement before `run()` resolves.
 */
export class Runner {
  private readonly clock: Clock;
  private readonly batchSize: number;
  private readonly abort = new AbortController();
  private stopRequested = false;
  private started = 0;
  private queued = 0;
  private simTime: number | undefined;
  private running: Promise<RunOutcome> | undefined;

  constructor(private readonly options: RunnerOptions) {
    this.clock = options.clock ?? systemClock;
    this.batchSize = Math.max(1, options.batchSize ?? 4_000);
  }

  run(): Promise<RunOutcome> {
    this.running ??= this.loop();
    return this.running;
  }

  /** Asks the run to end; `run()` resolves once everything in flight is acknowledged. */
  stop(): void {
    this.stopRequested = true;
    this.abort.abort();
  }

  progress(): RunProgress {
    return {
      queued: this.queued,
      sent: this.options.sink.acked,
      failed: this.options.sink.failed,
      elapsedMs: this.started === 0 ? 0 : this.clock.now() - this.started,
      simTime: this.simTime,
    };
  }

  private async loop(): Promise<RunOutcome> {
    const { source, sink, durationMs } = this.options;
    this.started = this.clock.now();
    let reason: StopReason = "completed";
    let lastYield = this.started;
    try {
      while (true) {
        const elapsed = this.clock.now() - this.started;
        if (!source.ended) {
          if (this.stopRequested) {
            source.finish();
            reason = "stopped";
          } else if (durationMs !== undefined && elapsed >= durationMs) {
            source.finish();
            reason = "duration";
          }
        }
        const batch = source.ended ? this.take(this.batchSize) : this.paced(elapsed);
        if (!Array.isArray(batch)) {
          const ms = Math.min(MAX_SLEEP_MS, Math.max(1, batch.sleepMs));
          await this.clock.sleep(ms, this.abort.signal);
          continue;
        }
        if (batch.length === 0) {
          if (source.peekTime() === undefined) break;
          continue;
        }
        this.queued += batch.length;
        this.simTime = batch[batch.length - 1]?.emitAt;
        await sink.write(batch);
        // A sink that never blocks (a fast pipe) must not starve timers and signal handlers.
        if (this.clock.now() - lastYield > YIELD_EVERY_MS) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          lastYield = this.clock.now();
        }
      }
      await sink.flush();
      return { reason };
    } catch (error) {
      await sink.flush().catch(() => {});
      if (error instanceof OutputClosedError) return { reason: "output-closed" };
      return { reason: "error", error };
    }
  }

  /** The records due now, or how long to sleep until some are. */
  private paced(elapsed: number): Emission[] | { sleepMs: number } {
    const { source, pacing } = this.options;
    if (pacing.kind === "realtime") {
      const simNow = pacing.startTime + elapsed * pacing.speedup;
      const batch: Emission[] = [];
      while (batch.length < this.batchSize) {
        const t = source.peekTime();
        if (t === undefined || t > simNow) break;
        batch.push(source.next() as Emission);
      }
      if (batch.length > 0) return batch;
      const next = source.peekTime();
      if (next === undefined) return batch;
      return { sleepMs: (next - simNow) / pacing.speedup };
    }
    if (pacing.perSecond === Number.POSITIVE_INFINITY) return this.take(this.batchSize);
    const due = Math.floor((pacing.perSecond * elapsed) / 1000) - this.queued;
    if (due > 0) return this.take(Math.min(due, this.batchSize));
    const nextDue = ((this.queued + 1) * 1000) / pacing.perSecond - elapsed;
    return { sleepMs: Math.max(nextDue, RATE_TICK_MS) };
  }

  private take(max: number): Emission[] {
    const batch: Emission[] = [];
    const { source } = this.options;
    while (batch.length < max) {
      const record = source.next();
      if (!record) break;
      batch.push(record);
    }
    return batch;
  }
}
