import { Outage } from "@fleetstream/service";
import type {
  Batch,
  ConsumerRunConfig,
  EachBatchPayload,
  IHeaders,
  Consumer as KafkaConsumer,
} from "kafkajs";
import { failureSignal, maxBatchSizeOf, tpKey } from "../consumer-common";
import type {
  ConsumedRecord,
  Consumer,
  ConsumerOptions,
  HeaderBytes,
  Headers,
  TopicPartition,
} from "../types";
import type { KafkaEventLog } from "./log";

/** Group-membership and fetch settings; the defaults suit the apps, tests shorten them. */
export interface KafkaConsumerTuning {
  /** Broker drops a member that sent no heartbeat for this long (broker minimum: 6000). */
  sessionTimeoutMs?: number;
  /** How often members heartbeat, which is also how fast they notice a rebalance. */
  heartbeatIntervalMs?: number;
  /** How long a rebalance waits for members to finish their batch and rejoin. */
  rebalanceTimeoutMs?: number;
  /** Longest a fetch waits on the broker for `minBytes` (when there is nothing new). */
  maxWaitTimeMs?: number;
  /**
   * A fetch returns once this many bytes are there (or `maxWaitTimeMs` passed). 1, the default,
   * answers every record at once; a consumer off the live path asks for more, and so sends the
   * broker fewer, larger fetches.
   */
  minBytes?: number;
  /** Most bytes one fetch returns per partition (kafkajs default 1 MiB). */
  maxBytesPerPartition?: number;
}

/**
 * kafkajs heartbeats only between batches (it has no heartbeat thread), so the session timeout
 * must cover the longest batch on a busy machine: 30 s (Kafka's own default is 45 s). A member
 * that dies is noticed that late; tests shorten it.
 */
export const DEFAULT_TUNING: Required<KafkaConsumerTuning> = {
  sessionTimeoutMs: 30_000,
  heartbeatIntervalMs: 3_000,
  rebalanceTimeoutMs: 60_000,
  maxWaitTimeMs: 500,
  minBytes: 1,
  // kafkajs decodes a whole fetch before the first batch is handled, and every record of it
  // (about ten objects each) then lives until its batch is processed. With 2 MiB per partition a
  // fetch held ~50,000 records for seconds: they outlived the young generation, and the
  // processor's scavenges copied and promoted ~1.8 GB per million fixes. 256 KiB (~1,300 fixes)
  // per partition keeps a fetch short-lived (pipeline bench, issue 13).
  maxBytesPerPartition: 256 * 1024,
};

/** Tuning for a session timeout: members heartbeat ten times per timeout. */
export const sessionTuning = (sessionTimeoutMs: number): KafkaConsumerTuning => ({
  sessionTimeoutMs,
  heartbeatIntervalMs: Math.max(500, Math.floor(sessionTimeoutMs / 10)),
});

/** How long start() waits for the group join before it gives up. */
const JOIN_TIMEOUT_MS = 60_000;

function headersOf(raw: IHeaders): Pick<ConsumedRecord, "headers" | "headerBytes"> {
  const headers: Headers = {};
  const headerBytes: HeaderBytes = {};
  const bytesOf = (value: string | Buffer) =>
    typeof value === "string" ? Buffer.from(value) : value;
  for (const [name, value] of Object.entries(raw)) {
    // kafkajs gives a repeated name as an array of its values, in record order.
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last === undefined) continue;
    headers[name] = typeof last === "string" ? last : last.toString("utf8");
    headerBytes[name] = Array.isArray(value) ? value.map(bytesOf) : bytesOf(last);
  }
  return { headers, headerBytes };
}

/** Shared by records without headers (most): two objects less per record. Never mutated. */
const NO_HEADERS = Object.freeze({
  headers: Object.freeze({}) as Headers,
  headerBytes: Object.freeze({}) as HeaderBytes,
});

function hasHeaders(headers: IHeaders | undefined): headers is IHeaders {
  if (!headers) return false;
  for (const _ in headers) return true;
  return false;
}

function recordsOf(batch: Batch): ConsumedRecord[] {
  return batch.messages.map((message) => {
    const { headers, headerBytes } = hasHeaders(message.headers)
      ? headersOf(message.headers)
      : NO_HEADERS;
    return {
      topic: batch.topic,
      partition: batch.partition,
      offset: Number(message.offset),
      key: message.key === null ? null : message.key.toString("utf8"),
      keyBytes: message.key,
      value: message.value,
      headers,
      headerBytes,
      timestamp: Number(message.timestamp),
    };
  });
}

const partitionsOf = (keys: Iterable<string>, owned: Map<string, TopicPartition>) =>
  [...keys].flatMap((key) => {
    const tp = owned.get(key);
    return tp ? [tp] : [];
  });

/**
 * A kafkajs group consumer behind the EventLog `Consumer`: batches per partition (cut to
 * maxBatchSize), commits after each batch or by the handler ("manual"), assignment callbacks
 * derived from kafkajs's GROUP_JOIN events (kafkajs has no rebalance listener), and seek.
 * `commits: "never"` with `ephemeralGroup` is the group-less reader (kafkajs cannot fetch
 * without a group): a fresh group that never commits and is deleted when the reader stops.
 */
export class KafkaLogConsumer implements Consumer {
  readonly failed: Promise<never>;
  private rejectFailed!: (error: unknown) => void;
  private readonly consumer: KafkaConsumer;
  private readonly maxBatchSize: number;
  private readonly commits: "batch" | "manual" | "never";
  private started = false;
  private failure: { error: unknown } | undefined;
  private stopping: Promise<void> | undefined;
  /** No batch is handed to the handler any more (stopping: revoking, then leaving). */
  private draining = false;
  /** Leaving the group: commits are no longer possible. */
  private closing = false;
  /** Ends a start() still waiting for the group join when the consumer is stopped meanwhile. */
  private abortStart: ((error: Error) => void) | undefined;
  /** Partitions of the current generation, by tpKey. */
  private owned = new Map<string, TopicPartition>();
  /** Resolves when the assignment callbacks of the latest join have run. */
  private assigned: Promise<void> = Promise.resolve();
  /** eachBatch calls in progress (stop waits for them before revoking). */
  private readonly inFlight = new Set<Promise<void>>();
  /** Partitions paused by the caller, paused again after kafkajs restarts the consumer. */
  private readonly paused = new Map<string, TopicPartition>();
  /** Seeks asked for while kafkajs was restarting the consumer, made once it has rejoined. */
  private readonly pendingSeeks = new Map<string, TopicPartition & { offset: number }>();
  /** Crashes (a broker restart): logged once when they start and once when fetching resumes. */
  private readonly outage: Outage;
  private runConfig: ConsumerRunConfig | undefined;
  /** A reader's next offset per partition: it never commits, so a rejoin would start over. */
  private readonly positions = new Map<string, number>();

  constructor(
    private readonly log: KafkaEventLog,
    private readonly options: Omit<ConsumerOptions, "commits"> & {
      commits?: "batch" | "manual" | "never";
      ephemeralGroup?: boolean;
      partitions?: readonly number[];
    },
    tuning: Required<KafkaConsumerTuning>,
  ) {
    ({ failed: this.failed, fail: this.rejectFailed } = failureSignal());
    this.maxBatchSize = maxBatchSizeOf(options);
    this.commits = options.commits ?? "batch";
    this.outage = new Outage(`Kafka (consumer group "${options.groupId}")`, log.reporter());
    this.consumer = log.kafkaClient().consumer({
      groupId: options.groupId,
      sessionTimeout: tuning.sessionTimeoutMs,
      heartbeatInterval: tuning.heartbeatIntervalMs,
      rebalanceTimeout: tuning.rebalanceTimeoutMs,
      maxWaitTimeInMs: tuning.maxWaitTimeMs,
      minBytes: tuning.minBytes,
      maxBytesPerPartition: tuning.maxBytesPerPartition,
      maxBytes: Math.max(10 * 1024 * 1024, tuning.maxBytesPerPartition * 2),
      allowAutoTopicCreation: false,
    });
  }

  async start(): Promise<void> {
    if (this.started) throw new Error("A consumer can be started once");
    this.started = true;
    for (const topic of this.options.topics) {
      const partitions = await this.log.partitions(topic);
      // A reader of some partitions: the others are paused before the first fetch (at the join,
      // restoreAfterRestart), so the broker never sends them.
      for (const { partitionId: partition } of partitions)
        if (this.options.partitions && !this.options.partitions.includes(partition))
          this.paused.set(tpKey(topic, partition), { topic, partition });
    }
    await this.log.connect(() => this.consumer.connect());

    const { GROUP_JOIN, FETCH, CRASH } = this.consumer.events;
    const removers: (() => void)[] = [];
    // Joined = assigned partitions; the first fetch after it has also resolved the start positions
    // (startFrom latest), so records produced once start() resolves are never skipped.
    const ready = new Promise<void>((resolve, reject) => {
      this.abortStart = reject;
      let joined = false;
      removers.push(
        this.consumer.on(GROUP_JOIN, () => {
          joined = true;
        }),
        this.consumer.on(FETCH, () => {
          if (joined) resolve();
        }),
        this.consumer.on(CRASH, (event) => {
          if (!event.payload.restart) reject(event.payload.error);
        }),
      );
      const timer = setTimeout(
        () => reject(new Error(`Consumer group "${this.options.groupId}" did not join in time`)),
        JOIN_TIMEOUT_MS,
      );
      removers.push(() => clearTimeout(timer));
    });
    ready.catch(() => {}); // awaited below; this only keeps an early rejection from going unhandled
    // A crash (the broker restarting, unreachable longer than kafkajs retries) never ends the
    // consumer once started: kafkajs restarts the retriable ones itself, the others are run
    // again here after a capped backoff. Only a failed handler ends it (see handle).
    this.consumer.on(CRASH, (event) => {
      if (this.stopping || this.abortStart) return;
      const wait = this.outage.failed(event.payload.error);
      if (!event.payload.restart) void wait.then(() => this.rerun());
    });
    this.consumer.on(FETCH, () => this.outage.ok());
    this.consumer.on(GROUP_JOIN, (event) => {
      this.onJoin(event.payload.memberAssignment);
      this.restoreAfterRestart();
    });

    try {
      if (this.stopping) throw this.stoppedWhileStarting();
      await this.consumer.subscribe({
        topics: [...this.options.topics],
        fromBeginning: (this.options.startFrom ?? "earliest") === "earliest",
      });
      this.runConfig = {
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 1,
        eachBatch: (payload) => this.track(this.handle(payload)),
      };
      await this.consumer.run(this.runConfig);
      await ready;
    } catch (error) {
      await this.consumer.disconnect().catch(() => {});
      this.log.forgetConsumer(this);
      throw error;
    } finally {
      this.abortStart = undefined;
      for (const remove of removers) remove();
    }
  }

  stop(): Promise<void> {
    return this.shutdown(undefined);
  }

  async commit(topic: string, partition: number, offset: number): Promise<void> {
    if (!this.owned.has(tpKey(topic, partition)) || this.closing) return;
    await this.consumer.commitOffsets([{ topic, partition, offset: String(offset) }]);
  }

  // kafkajs throws from seek, pause and resume while it restarts a crashed consumer: they are
  // remembered and made again once it has rejoined (restoreAfterRestart).

  seek(topic: string, partition: number, offset: number): void {
    if (!this.owned.has(tpKey(topic, partition))) return;
    try {
      this.consumer.seek({ topic, partition, offset: String(offset) });
    } catch {
      this.pendingSeeks.set(tpKey(topic, partition), { topic, partition, offset });
    }
  }

  pause(topic: string, partition: number): void {
    this.paused.set(tpKey(topic, partition), { topic, partition });
    try {
      this.consumer.pause([{ topic, partitions: [partition] }]);
    } catch {}
  }

  resume(topic: string, partition: number): void {
    this.paused.delete(tpKey(topic, partition));
    try {
      this.consumer.resume([{ topic, partitions: [partition] }]);
    } catch {}
  }

  private restoreAfterRestart(): void {
    for (const { topic, partition } of this.paused.values())
      this.consumer.pause([{ topic, partitions: [partition] }]);
    // A reader's group has no committed offsets: without this it would read its topics from
    // the start again after a broker restart.
    if (this.commits === "never")
      for (const [key, position] of this.positions) {
        const tp = this.owned.get(key);
        if (tp && !this.pendingSeeks.has(key))
          this.consumer.seek({ ...tp, offset: String(position) });
      }
    const seeks = [...this.pendingSeeks.values()];
    this.pendingSeeks.clear();
    for (const { topic, partition, offset } of seeks) this.seek(topic, partition, offset);
  }

  /** Runs the consumer again after a crash kafkajs does not restart from. */
  private async rerun(): Promise<void> {
    if (this.stopping || !this.runConfig) return;
    try {
      await this.consumer.run(this.runConfig);
    } catch (error) {
      // Not even started: try again after the next backoff.
      await this.outage.failed(error);
      return this.rerun();
    }
  }

  /** A new generation: revoke what was lost, then assign what was gained (batches wait for it). */
  private onJoin(assignment: Record<string, number[]>): void {
    const next = new Map<string, TopicPartition>();
    for (const [topic, partitions] of Object.entries(assignment))
      for (const partition of partitions) next.set(tpKey(topic, partition), { topic, partition });
    const lost = partitionsOf(
      [...this.owned.keys()].filter((key) => !next.has(key)),
      this.owned,
    );
    const gained = partitionsOf(
      [...next.keys()].filter((key) => !this.owned.has(key)),
      next,
    );
    this.owned = next;
    const { onAssigned, onRevoked } = this.options;
    const previous = this.assigned;
    this.assigned = (async () => {
      await previous;
      if (lost.length > 0) await onRevoked?.(lost);
      if (gained.length > 0) await onAssigned?.(gained);
    })();
    this.assigned.catch((error: unknown) => void this.shutdown({ error }));
  }

  private track(run: Promise<void>): Promise<void> {
    this.inFlight.add(run);
    return run.finally(() => this.inFlight.delete(run));
  }

  private stoppedWhileStarting(): Error {
    return new Error(`Consumer of group "${this.options.groupId}" was stopped while starting`);
  }

  private async handle(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    await this.assigned.catch(() => {});
    if (this.draining || !this.owned.has(tpKey(batch.topic, batch.partition))) return;
    const all = recordsOf(batch);
    for (let start = 0; start < all.length; start += this.maxBatchSize) {
      // Checked per chunk: a rebalance may take the partition away between two of them.
      if (this.failure || this.draining || !payload.isRunning() || payload.isStale()) return;
      if (!this.owned.has(tpKey(batch.topic, batch.partition))) return;
      const records = all.slice(start, start + this.maxBatchSize);
      const last = records[records.length - 1];
      if (!last) return;
      try {
        await this.options.eachBatch({
          topic: batch.topic,
          partition: batch.partition,
          records,
          highWatermark: Number(batch.highWatermark),
        });
      } catch (error) {
        // Nothing of this batch is committed or resolved; stop fetching and leave the group.
        // Not rethrown: kafkajs would retry the batch in this consumer.
        payload.pause();
        void this.shutdown({ error });
        return;
      }
      // The handler sought elsewhere: the rest of this batch is not to be delivered.
      if (payload.isStale()) return;
      payload.resolveOffset(String(last.offset));
      if (this.commits === "never")
        this.positions.set(tpKey(batch.topic, batch.partition), last.offset + 1);
      if (this.commits === "batch") {
        // Errors here (a rebalance fenced this member) go to kafkajs, which rejoins; the batch is
        // then redelivered from the last commit, so processing stays at-least-once.
        await payload.commitOffsetsIfNecessary({
          topics: [
            {
              topic: batch.topic,
              partitions: [{ partition: batch.partition, offset: String(last.offset + 1) }],
            },
          ],
        });
      }
      await payload.heartbeat();
      // A turn of the event loop between chunks: the handler's own I/O (database round trips of
      // checkpoints in flight, timers) runs in between instead of after the whole fetch.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private shutdown(failure: { error: unknown } | undefined): Promise<void> {
    if (failure && !this.failure) this.failure = failure;
    if (!this.stopping) {
      this.abortStart?.(this.stoppedWhileStarting());
      this.stopping = (async () => {
        this.draining = true;
        if (!this.failure && this.options.onRevoked && this.owned.size > 0) {
          // Revoke while still a member, so the handler can make its final commits.
          this.consumer.pause(this.options.topics.map((topic) => ({ topic })));
          await Promise.all([...this.inFlight]);
          await this.assigned.catch(() => {});
          await Promise.resolve(this.options.onRevoked([...this.owned.values()])).catch(
            (error: unknown) => {
              this.failure ??= { error };
            },
          );
        }
        this.closing = true;
        // disconnect() waits for the batch in flight (which commits), then leaves the group.
        await this.consumer.disconnect().catch(() => {});
        this.owned.clear();
        this.log.forgetConsumer(this);
        if (this.options.ephemeralGroup) await this.log.deleteGroup(this.options.groupId);
        if (this.failure) this.rejectFailed(this.failure.error);
      })();
    }
    return this.stopping;
  }
}
