import { Worker } from "node:worker_threads";
import { partitionForKey } from "@fleetstream/eventlog";
import type { Emission } from "../domain/faults";
import type { FromWorker, ProducerWorkerData, ToWorker } from "./producer-worker";
import { type Sink, stderrOutageLog } from "./sink";

export interface WorkerSinkOptions extends ProducerWorkerData {
  /** Producer threads (default 2, one per core of the target machine). */
  threads?: number;
  /** Partitions of the topic: each partition is produced by one thread only. */
  partitions: number;
  /** Batches queued per thread before `write` waits (default 3). */
  maxPendingPerThread?: number;
}

/**
 * Which thread produces a key: the one that owns the key's Kafka partition. One producer per
 * partition keeps each partition in generation order (event-time order): with keys spread over
 * threads by anything else, two producers interleave a partition at their own pace and a
 * fault-free run showed late fixes, differently on every run of one seed.
 */
export function threadRouter(partitions: number, threads: number): (key: string | null) => number {
  const byKey = new Map<string, number>(); // trucks repeat: the partitioner runs once per truck
  return (key) => {
    if (key === null || threads === 1) return 0;
    let thread = byKey.get(key);
    if (thread === undefined) {
      thread = partitionForKey(key, partitions) % threads;
      byKey.set(key, thread);
    }
    return thread;
  };
}

/**
 * Produces through the event log on worker threads (one producer each), for load mode. The main
 * thread generates records and splits each batch by key; each thread encodes and sends its share.
 */
export class WorkerProducerSink implements Sink {
  acked = 0;
  failed = 0;
  private readonly workers: Worker[];
  private readonly pending: number[];
  private readonly maxPending: number;
  private failure: Error | undefined;
  private waiters: (() => void)[] = [];
  private nextId = 0;
  private readonly threadOf: (key: string | null) => number;
  /** Threads whose producer cannot reach Kafka: one line when the first fails, one when all are back. */
  private readonly down = new Set<number>();

  constructor(options: WorkerSinkOptions) {
    const threads = Math.max(1, options.threads ?? 2);
    this.threadOf = threadRouter(options.partitions, threads);
    this.maxPending = Math.max(1, options.maxPendingPerThread ?? 3);
    const data: ProducerWorkerData = {
      brokers: options.brokers,
      security: options.security,
      clientId: options.clientId,
      topic: options.topic,
    };
    this.pending = Array.from({ length: threads }, () => 0);
    this.workers = Array.from({ length: threads }, (_, i) => {
      const worker = new Worker(new URL("./producer-worker.mjs", import.meta.url), {
        workerData: { ...data, clientId: `${options.clientId}-${i + 1}` },
        execArgv: [],
      });
      worker.on("message", (message: FromWorker) => this.onMessage(i, message));
      worker.on("error", (error) => this.fail(error));
      return worker;
    });
  }

  async write(records: readonly Emission[]): Promise<void> {
    this.throwIfFailed();
    const threads = this.workers.length;
    const keys: (string | null)[][] = Array.from({ length: threads }, () => []);
    const values: (string | null)[][] = Array.from({ length: threads }, () => []);
    for (const r of records) {
      const t = this.threadOf(r.key);
      (keys[t] as (string | null)[]).push(r.key);
      (values[t] as (string | null)[]).push(r.value);
    }
    for (let t = 0; t < threads; t++) {
      const k = keys[t] as (string | null)[];
      if (k.length === 0) continue;
      this.pending[t] = (this.pending[t] as number) + 1;
      const message: ToWorker = {
        kind: "send",
        id: this.nextId++,
        keys: k,
        values: values[t] ?? [],
      };
      (this.workers[t] as Worker).postMessage(message);
    }
    while (!this.failure && this.pending.some((p) => p >= this.maxPending)) await this.changed();
    this.throwIfFailed();
  }

  async flush(): Promise<void> {
    while (!this.failure && this.pending.some((p) => p > 0)) await this.changed();
    this.throwIfFailed();
  }

  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      await Promise.all(
        this.workers.map(
          (worker) =>
            new Promise<void>((resolve) => {
              const timer = setTimeout(() => void worker.terminate().then(() => resolve()), 10_000);
              worker.on("message", (message: FromWorker) => {
                if (message.kind !== "closed") return;
                clearTimeout(timer);
                void worker.terminate().then(() => resolve());
              });
              worker.on("exit", () => {
                clearTimeout(timer);
                resolve();
              });
              worker.postMessage({ kind: "close" } satisfies ToWorker);
            }),
        ),
      );
    }
  }

  private onMessage(thread: number, message: FromWorker): void {
    if (message.kind === "closed") return;
    if (message.kind === "outage") {
      const wasDown = this.down.size > 0;
      if (message.down) this.down.add(thread);
      else this.down.delete(thread);
      if (!wasDown && message.down) stderrOutageLog.warn({ err: message.error }, message.message);
      if (wasDown && this.down.size === 0)
        stderrOutageLog.info({ downMs: message.downMs }, message.message);
      return;
    }
    this.pending[thread] = (this.pending[thread] as number) - 1;
    if (message.kind === "ack") this.acked += message.count;
    else {
      this.failed += message.count;
      this.fail(new Error(message.message));
    }
    this.wake();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.wake();
  }

  private changed(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }
}
