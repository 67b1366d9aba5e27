import type { TopicSpec } from "@fleetstream/contracts";
import {
  type Admin,
  type Batch,
  type EachBatchPayload,
  type IHeaders,
  Kafka,
  type Consumer as KafkaConsumer,
  logLevel as KafkaLogLevel,
  type Producer as KafkaProducer,
  type LogEntry,
  Partitioners,
  type PartitionMetadata,
} from "kafkajs";
import { failureSignal, maxBatchSizeOf } from "./consumer-common";
import type {
  ConsumedRecord,
  Consumer,
  ConsumerOptions,
  EventLog,
  Headers,
  OutgoingRecord,
  Producer,
  SentRecord,
} from "./types";

export type KafkaLogLevelName = "nothing" | "error" | "warn" | "info" | "debug";

export interface KafkaLogLine {
  level: Exclude<KafkaLogLevelName, "nothing">;
  namespace: string;
  message: string;
  extra: Record<string, unknown>;
}

/** Group-membership timings; the defaults suit the apps, tests shorten them. */
export interface KafkaConsumerTuning {
  /** Broker drops a member that sent no heartbeat for this long (broker minimum: 6000). */
  sessionTimeoutMs?: number;
  /** How often members heartbeat, which is also how fast they notice a rebalance. */
  heartbeatIntervalMs?: number;
  /** How long a rebalance waits for members to finish their batch and rejoin. */
  rebalanceTimeoutMs?: number;
  /** Longest a fetch waits on the broker when there is nothing new. */
  maxWaitTimeMs?: number;
}

export interface KafkaEventLogOptions {
  brokers: string[];
  clientId: string;
  /** kafkajs log level (default "error"); kafkajs is chatty and our own errors say what failed. */
  logLevel?: KafkaLogLevelName;
  /** Where kafkajs log lines go (default: one line on stderr). */
  log?: (line: KafkaLogLine) => void;
  /** Connection attempts before giving up with "Cannot reach Kafka" (default 5, ~3 s). */
  connectRetries?: number;
  consumer?: KafkaConsumerTuning;
}

const LEVELS: Record<KafkaLogLevelName, KafkaLogLevel> = {
  nothing: KafkaLogLevel.NOTHING,
  error: KafkaLogLevel.ERROR,
  warn: KafkaLogLevel.WARN,
  info: KafkaLogLevel.INFO,
  debug: KafkaLogLevel.DEBUG,
};

const LEVEL_NAMES = new Map<KafkaLogLevel, KafkaLogLine["level"]>([
  [KafkaLogLevel.ERROR, "error"],
  [KafkaLogLevel.WARN, "warn"],
  [KafkaLogLevel.INFO, "info"],
  [KafkaLogLevel.DEBUG, "debug"],
]);

const DEFAULT_TUNING: Required<KafkaConsumerTuning> = {
  sessionTimeoutMs: 10_000,
  heartbeatIntervalMs: 1_000,
  rebalanceTimeoutMs: 30_000,
  maxWaitTimeMs: 500,
};

/** How long start() waits for the group join before it gives up. */
const JOIN_TIMEOUT_MS = 60_000;
/** Partition metadata used to pick partitions is refreshed this often (kafkajs: metadataMaxAge). */
const METADATA_MAX_AGE_MS = 60_000;

function writeLogLine(line: KafkaLogLine): void {
  const extra = Object.keys(line.extra).length > 0 ? ` ${JSON.stringify(line.extra)}` : "";
  process.stderr.write(`kafkajs ${line.level} [${line.namespace}] ${line.message}${extra}\n`);
}

/** Protocol errors kafkajs logs at error level although they are a normal part of rebalancing. */
const REBALANCE_RESPONSES = [
  "The group is rebalancing, so a rejoin is needed",
  "The coordinator is not aware of this member",
  "Specified group generation id is not valid",
  "The group member needs to have a valid member id",
];

/**
 * kafkajs entries that are routine (rebalances) or reach the caller anyway as a thrown error
 * ("Cannot reach Kafka ..."); they are shown only at debug level instead of as errors.
 */
function isRoutine(entry: LogEntry): boolean {
  const { message } = entry.log;
  if (entry.namespace === "BrokerPool")
    return message.startsWith("Failed to connect to seed broker");
  if (entry.namespace !== "Connection") return false;
  if (message.startsWith("Connection error") || message.startsWith("Connection timeout"))
    return true;
  const error: unknown = entry.log.error;
  return (
    message.startsWith("Response ") &&
    typeof error === "string" &&
    REBALANCE_RESPONSES.some((routine) => error.startsWith(routine))
  );
}

/** The innermost message of an error and its causes (kafkajs wraps connection errors twice). */
export function rootMessage(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 10; depth += 1) {
    const cause: unknown =
      current instanceof Error
        ? (current.cause ?? (current as Error & { originalError?: unknown }).originalError)
        : undefined;
    if (!(cause instanceof Error)) break;
    current = cause;
  }
  return current instanceof Error ? current.message : String(current);
}

function headersOf(raw: IHeaders | undefined): Headers {
  const headers: Headers = {};
  for (const [name, value] of Object.entries(raw ?? {})) {
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last === undefined) continue;
    headers[name] = typeof last === "string" ? last : last.toString("utf8");
  }
  return headers;
}

function recordsOf(batch: Batch): ConsumedRecord[] {
  return batch.messages.map((message) => ({
    topic: batch.topic,
    partition: batch.partition,
    offset: Number(message.offset),
    key: message.key === null ? null : message.key.toString("utf8"),
    value: message.value,
    headers: headersOf(message.headers),
    timestamp: Number(message.timestamp),
  }));
}

function unknownTopic(name: string): Error {
  return new Error(
    `Unknown topic "${name}": topics are not auto-created; create it with ensureTopics first`,
  );
}

/**
 * The event log on a real Kafka cluster through kafkajs: an idempotent producer (acks=all,
 * Java-compatible partitioner, no topic auto-creation) and group consumers that commit each
 * batch's offsets only after its handler resolved.
 */
export class KafkaEventLog implements EventLog {
  private readonly kafka: Kafka;
  private readonly brokers: string[];
  private readonly tuning: Required<KafkaConsumerTuning>;
  private adminConnection: Promise<Admin> | undefined;
  private readonly metadata = new Map<string, { partitions: PartitionMetadata[]; at: number }>();
  private readonly producers = new Set<KafkaLogProducer>();
  private readonly consumers = new Set<KafkaLogConsumer>();
  private closed = false;

  constructor(options: KafkaEventLogOptions) {
    if (options.brokers.length === 0) throw new Error("KafkaEventLog needs at least one broker");
    this.brokers = options.brokers;
    this.tuning = { ...DEFAULT_TUNING, ...options.consumer };
    const log = options.log ?? writeLogLine;
    const configured = LEVELS[options.logLevel ?? "error"];
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      connectionTimeout: 3_000,
      // Bounded: an unreachable cluster fails in seconds instead of kafkajs's long back-off.
      retry: {
        retries: options.connectRetries ?? 5,
        initialRetryTime: 100,
        maxRetryTime: 1_000,
      },
      logLevel: configured,
      logCreator: () => (entry: LogEntry) => {
        const routine = isRoutine(entry);
        if (routine && configured < KafkaLogLevel.DEBUG) return;
        const level = routine ? "debug" : LEVEL_NAMES.get(entry.level);
        if (!level) return;
        const { message, timestamp: _timestamp, logger: _logger, ...extra } = entry.log;
        log({ level, namespace: entry.namespace, message, extra });
      },
    });
  }

  async ensureTopics(specs: readonly TopicSpec[]): Promise<void> {
    const admin = await this.admin();
    await retryWhileRetriable(async () => {
      const existing = new Set(await admin.listTopics());
      const missing = specs.filter((spec) => !existing.has(spec.name));
      if (missing.length === 0) return;
      await admin.createTopics({
        topics: missing.map((spec) => ({
          topic: spec.name,
          numPartitions: spec.partitions,
          configEntries: Object.entries(spec.config ?? {}).map(([name, value]) => ({
            name,
            value,
          })),
        })),
      });
    });
    // A topic just created (here or by another process) takes a moment to reach the brokers'
    // metadata; until then clients get UNKNOWN_TOPIC_OR_PARTITION. Wait until every partition
    // has a leader, so callers can produce and consume right away.
    await retryWhileRetriable(async () => {
      const { topics } = await admin.fetchTopicMetadata({ topics: specs.map((s) => s.name) });
      const leaderless = topics.find((t) => t.partitions.some((p) => p.leader < 0));
      if (leaderless)
        throw Object.assign(new Error(`no leader yet for ${leaderless.name}`), { retriable: true });
    });
  }

  producer(): Producer {
    this.assertOpen();
    const producer = new KafkaLogProducer(this, this.kafka.producer(PRODUCER_CONFIG));
    this.producers.add(producer);
    return producer;
  }

  consumer(options: ConsumerOptions): Consumer {
    this.assertOpen();
    const consumer = new KafkaLogConsumer(this, options, this.tuning);
    this.consumers.add(consumer);
    return consumer;
  }

  async offsets(topic: string): Promise<{ partition: number; low: number; high: number }[]> {
    const admin = await this.admin();
    await this.partitions(topic);
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets
      .map((entry) => ({
        partition: entry.partition,
        low: Number(entry.low),
        high: Number(entry.high),
      }))
      .sort((a, b) => a.partition - b.partition);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.consumers].map((consumer) => consumer.stop()));
    await Promise.all([...this.producers].map((producer) => producer.close()));
    const admin = this.adminConnection;
    this.adminConnection = undefined;
    if (admin) await admin.then((client) => client.disconnect()).catch(() => {});
  }

  // ---- shared by producers and consumers ----

  kafkaClient(): Kafka {
    return this.kafka;
  }

  /** Runs a client's connect and turns any failure into one clear line. */
  async connect(connect: () => Promise<void>): Promise<void> {
    try {
      await connect();
    } catch (error) {
      throw new Error(`Cannot reach Kafka at ${this.brokers.join(",")}: ${rootMessage(error)}`, {
        cause: error,
      });
    }
  }

  /** The topic's partitions (cached briefly), or a clear error when the topic does not exist. */
  async partitions(topic: string): Promise<PartitionMetadata[]> {
    const cached = this.metadata.get(topic);
    if (cached && Date.now() - cached.at < METADATA_MAX_AGE_MS) return cached.partitions;
    const admin = await this.admin();
    // listTopics first: fetchTopicMetadata on a missing topic retries for seconds before failing.
    if (!(await admin.listTopics()).includes(topic)) throw unknownTopic(topic);
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    const partitions = topics
      .find((entry) => entry.name === topic)
      ?.partitions.slice()
      .sort((a, b) => a.partitionId - b.partitionId);
    if (!partitions || partitions.length === 0) throw unknownTopic(topic);
    this.metadata.set(topic, { partitions, at: Date.now() });
    return partitions;
  }

  forgetProducer(producer: KafkaLogProducer): void {
    this.producers.delete(producer);
  }

  forgetConsumer(consumer: KafkaLogConsumer): void {
    this.consumers.delete(consumer);
  }

  private admin(): Promise<Admin> {
    this.assertOpen();
    if (!this.adminConnection) {
      const admin = this.kafka.admin();
      const connection = this.connect(() => admin.connect()).then(() => admin);
      // A failed connect is not cached: the next call tries again.
      connection.catch(() => {
        if (this.adminConnection === connection) this.adminConnection = undefined;
      });
      this.adminConnection = connection;
    }
    return this.adminConnection;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error("The event log is closed");
  }
}

const PRODUCER_CONFIG = {
  idempotent: true,
  createPartitioner: Partitioners.DefaultPartitioner,
  allowAutoTopicCreation: false,
  // kafkajs's idempotent default is to retry forever; ~30 s (1 s apart at most) lets a broker
  // restart pass, then the send fails so the caller can stop instead of hanging on shutdown.
  retry: { retries: 30 },
} as const;

class KafkaLogProducer implements Producer {
  /** Chooses partitions up front (same function kafkajs would use) so each record's offset is known. */
  private readonly partitioner = Partitioners.DefaultPartitioner();
  private connection: Promise<void> | undefined;
  /**
   * Sends run one after another: kafkajs's idempotent producer assigns sequence numbers per
   * request and silently loses records when requests to one partition overlap (kafkajs #1005).
   */
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly log: KafkaEventLog,
    private readonly producer: KafkaProducer,
  ) {}

  send(topic: string, records: OutgoingRecord[]): Promise<SentRecord[]> {
    if (this.closed) return Promise.reject(new Error("Producer is closed"));
    const run = this.queue.then(() => this.sendNow(topic, records));
    this.queue = run.catch(() => {});
    return run;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    this.log.forgetProducer(this);
    if (this.connection) {
      await this.connection.catch(() => {});
      await this.producer.disconnect();
    }
  }

  private async sendNow(topic: string, records: OutgoingRecord[]): Promise<SentRecord[]> {
    if (records.length === 0) return [];
    const partitionMetadata = await this.log.partitions(topic);
    await this.connected();
    const messages = records.map((record) => {
      const message = {
        key: record.key,
        value: record.value,
        headers: record.headers,
        timestamp: String(record.timestamp ?? Date.now()),
      };
      return { ...message, partition: this.partitioner({ topic, partitionMetadata, message }) };
    });
    const metadata = await this.producer.send({ topic, acks: -1, messages });
    // kafkajs groups a send by partition keeping the records' order: offsets count up from baseOffset.
    const next = new Map<number, number>();
    for (const entry of metadata) {
      next.set(entry.partition, Number(entry.baseOffset ?? Number.NaN));
    }
    return messages.map((message) => {
      const offset = next.get(message.partition);
      if (offset === undefined || Number.isNaN(offset)) {
        throw new Error(`Kafka did not acknowledge partition ${message.partition} of "${topic}"`);
      }
      next.set(message.partition, offset + 1);
      return { topic, partition: message.partition, offset };
    });
  }

  private connected(): Promise<void> {
    if (!this.connection) {
      const connection = this.log.connect(() => this.producer.connect());
      connection.catch(() => {
        if (this.connection === connection) this.connection = undefined;
      });
      this.connection = connection;
    }
    return this.connection;
  }
}

class KafkaLogConsumer implements Consumer {
  readonly failed: Promise<never>;
  private rejectFailed!: (error: unknown) => void;
  private readonly consumer: KafkaConsumer;
  private readonly maxBatchSize: number;
  private started = false;
  private failure: { error: unknown } | undefined;
  private stopping: Promise<void> | undefined;
  /** Ends a start() still waiting for the group join when the consumer is stopped meanwhile. */
  private abortStart: ((error: Error) => void) | undefined;

  constructor(
    private readonly log: KafkaEventLog,
    private readonly options: ConsumerOptions,
    tuning: Required<KafkaConsumerTuning>,
  ) {
    ({ failed: this.failed, fail: this.rejectFailed } = failureSignal());
    this.maxBatchSize = maxBatchSizeOf(options);
    this.consumer = log.kafkaClient().consumer({
      groupId: options.groupId,
      sessionTimeout: tuning.sessionTimeoutMs,
      heartbeatInterval: tuning.heartbeatIntervalMs,
      rebalanceTimeout: tuning.rebalanceTimeoutMs,
      maxWaitTimeInMs: tuning.maxWaitTimeMs,
      allowAutoTopicCreation: false,
    });
  }

  async start(): Promise<void> {
    if (this.started) throw new Error("A consumer can be started once");
    this.started = true;
    for (const topic of this.options.topics) await this.log.partitions(topic);
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
    // A crash kafkajs will not restart from ends the consumer like a failed batch.
    this.consumer.on(CRASH, (event) => {
      if (!event.payload.restart) void this.shutdown({ error: event.payload.error });
    });

    try {
      if (this.stopping) throw this.stoppedWhileStarting();
      await this.consumer.subscribe({
        topics: [...this.options.topics],
        fromBeginning: (this.options.startFrom ?? "earliest") === "earliest",
      });
      await this.consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 1,
        eachBatch: (payload) => this.handle(payload),
      });
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

  private stoppedWhileStarting(): Error {
    return new Error(`Consumer of group "${this.options.groupId}" was stopped while starting`);
  }

  private async handle(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const all = recordsOf(batch);
    for (let start = 0; start < all.length; start += this.maxBatchSize) {
      if (this.failure || !payload.isRunning() || payload.isStale()) return;
      const records = all.slice(start, start + this.maxBatchSize);
      const last = records[records.length - 1];
      if (!last) return;
      try {
        await this.options.eachBatch({ topic: batch.topic, partition: batch.partition, records });
      } catch (error) {
        // Nothing of this batch is committed or resolved; stop fetching and leave the group.
        // Not rethrown: kafkajs would retry the batch in this consumer.
        payload.pause();
        void this.shutdown({ error });
        return;
      }
      payload.resolveOffset(String(last.offset));
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
      await payload.heartbeat();
    }
  }

  private shutdown(failure: { error: unknown } | undefined): Promise<void> {
    if (failure && !this.failure) this.failure = failure;
    if (!this.stopping) {
      this.abortStart?.(this.stoppedWhileStarting());
      this.stopping = (async () => {
        // disconnect() waits for the batch in flight (which commits), then leaves the group.
        await this.consumer.disconnect().catch(() => {});
        this.log.forgetConsumer(this);
        if (this.failure) this.rejectFailed(this.failure.error);
      })();
    }
    return this.stopping;
  }
}

/**
 * Runs `attempt` until it succeeds, retrying for up to ~10 s while it fails with an error
 * kafkajs marks retriable (unknown topic while metadata propagates, leader not available, …).
 */
async function retryWhileRetriable(attempt: () => Promise<void>): Promise<void> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      // kafkajs's own retrier may wrap the retriable error it gave up on as its `cause`.
      const { retriable: own, cause } = error as {
        retriable?: unknown;
        cause?: { retriable?: unknown };
      };
      const retriable = own === true || cause?.retriable === true;
      if (!retriable || tries >= 40) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
