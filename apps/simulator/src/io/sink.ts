import type { Writable } from "node:stream";
import { isRetriableKafkaError, type OutgoingRecord, type Producer } from "@fleetstream/eventlog";
import { Outage, type OutageLog } from "@fleetstream/service";
import type { Emission } from "../domain/faults";

/** Where a run's records go. */
export interface Sink {
  /**
   * Hands records over; resolves when the sink can take more (bounded work in flight).
   * Rejects once any earlier send failed.
   */
  write(records: readonly Emission[]): Promise<void>;
  /** Resolves when everything written so far is acknowledged; rejects if a send failed. */
  flush(): Promise<void>;
  /** Flushes, then releases resources. */
  close(): Promise<void>;
  /** Records acknowledged (Kafka: acks from all in-sync replicas; stdout: written). */
  readonly acked: number;
  /** Records whose send failed. */
  readonly failed: number;
}

export const toOutgoing = (e: Emission): OutgoingRecord => ({ key: e.key, value: e.value });

/** One fleet-sim line on stderr per outage start and end (the summary stays the last line). */
export const stderrOutageLog: OutageLog = {
  warn: (fields, message) => writeOutageLine(message, fields),
  info: (fields, message) => writeOutageLine(message, fields),
};

function writeOutageLine(message: string, fields: { err?: unknown; downMs?: number }): void {
  let cause: unknown = fields.err;
  while (cause instanceof Error && cause.cause instanceof Error) cause = cause.cause;
  const detail =
    fields.downMs !== undefined
      ? `after ${(fields.downMs / 1000).toFixed(1)} s`
      : cause instanceof Error
        ? cause.message
        : String(cause);
  process.stderr.write(`fleet-sim: ${message} (${detail})\n`);
}

/**
 * Sends one batch until Kafka acknowledges it, waiting out outages (a broker restart) with
 * capped backoff; other errors (unknown topic, record too large) are thrown. A batch that
 * failed may have been written anyway: resending it can put a fix on the topic twice, which is
 * safe because the producer is idempotent within a session and the processor keeps a fix once
 * per (truck_id, seq) whatever reaches it.
 */
export function sendUntilAcked(
  producer: Producer,
  topic: string,
  records: OutgoingRecord[],
  outage: Outage,
): Promise<unknown> {
  return outage.retry(() => producer.send(topic, records), { retriable: isRetriableKafkaError });
}

/**
 * Produces through the event-log seam with up to `maxInFlight` `send` calls outstanding, so the
 * next batch is being prepared while the previous one is on the wire.
 */
export class ProducerSink implements Sink {
  acked = 0;
  failed = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private failure: unknown;

  constructor(
    private readonly producer: Producer,
    private readonly topic: string,
    private readonly maxInFlight = 4,
    private readonly outage = new Outage("Kafka", stderrOutageLog),
  ) {}

  async write(records: readonly Emission[]): Promise<void> {
    this.throwIfFailed();
    if (records.length === 0) return;
    const count = records.length;
    const outgoing = records.map(toOutgoing);
    const send: Promise<void> = sendUntilAcked(
      this.producer,
      this.topic,
      outgoing,
      this.outage,
    ).then(
      () => {
        this.acked += count;
      },
      (error: unknown) => {
        this.failed += count;
        this.failure ??= error;
      },
    );
    const tracked = send.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
    while (this.inFlight.size >= this.maxInFlight) await Promise.race(this.inFlight);
    this.throwIfFailed();
  }

  async flush(): Promise<void> {
    await Promise.all(this.inFlight);
    this.throwIfFailed();
  }

  async close(): Promise<void> {
    await this.flush();
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }
}

/** Thrown by `NdjsonSink` when the reader went away (e.g. `| head`); ends the run quietly. */
export class OutputClosedError extends Error {
  override name = "OutputClosedError";
}

/**
 * Writes records as NDJSON lines (the record value as is; a null value as `null`), honouring the
 * stream's backpressure.
 */
export class NdjsonSink implements Sink {
  acked = 0;
  failed = 0;
  private closedByReader = false;

  constructor(private readonly out: Writable) {
    out.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE" || error.code === "ERR_STREAM_DESTROYED")
        this.closedByReader = true;
    });
  }

  async write(records: readonly Emission[]): Promise<void> {
    if (this.closedByReader) throw new OutputClosedError("output closed");
    if (records.length === 0) return;
    let text = "";
    for (const r of records) text += `${r.value ?? "null"}\n`;
    const ok = this.out.write(text);
    this.acked += records.length;
    if (!ok) await this.drained();
  }

  flush(): Promise<void> {
    if (this.closedByReader || this.out.writableNeedDrain === false) return Promise.resolve();
    return this.drained();
  }

  async close(): Promise<void> {
    await this.flush();
  }

  private drained(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        this.out.off("drain", done);
        this.out.off("error", done);
        this.out.off("close", done);
        resolve();
      };
      this.out.on("drain", done);
      this.out.on("error", done);
      this.out.on("close", done);
    });
  }
}

/** Keeps records in memory (tests, and the embedded launcher's dry runs). */
export class MemorySink implements Sink {
  readonly records: Emission[] = [];
  failed = 0;

  get acked(): number {
    return this.records.length;
  }

  async write(records: readonly Emission[]): Promise<void> {
    this.records.push(...records);
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {}
}
