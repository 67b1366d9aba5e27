import "./patches";
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { TopicSpec } from "@fleetstream/contracts";
import type { KafkaSecurity, OutageLog } from "@fleetstream/service";
import { type Admin, Kafka, type PartitionMetadata } from "kafkajs";
import type {
  Consumer,
  ConsumerOptions,
  EventLog,
  Producer,
  ProducerOptions,
  Reader,
  ReaderOptions,
} from "../types";
import { DEFAULT_TUNING, type KafkaConsumerTuning, KafkaLogConsumer } from "./consumer";
import { isRetriableKafkaError } from "./errors";
import {
  type KafkaLogLevelName,
  type KafkaLogLine,
  LEVELS,
  logCreator,
  rootMessage,
  writeLogLine,
} from "./logging";
import { KafkaLogProducer, PRODUCER_CONFIG } from "./producer";
import { kafkaSecurityConfig } from "./security";

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
  /** TLS and SASL (`kafkaSecurity` of `@fleetstream/service`); unset: plaintext, no authentication. */
  security?: KafkaSecurity;
}

/** Partition metadata used to pick partitions is refreshed this often (kafkajs: metadataMaxAge). */
const METADATA_MAX_AGE_MS = 60_000;

function unknownTopic(name: string): Error {
  return new Error(
    `Unknown topic "${name}": topics are not auto-created; create it with ensureTopics first`,
  );
}

/**
 * The event log on a real Kafka cluster through kafkajs: an idempotent producer (acks=all,
 * Java-compatible partitioner, no topic auto-creation, requests cut to the broker's limits),
 * group consumers that commit each batch's offsets only after its handler resolved (or when the
 * handler says), and group-less readers of whole topics.
 */
export class KafkaEventLog implements EventLog {
  private readonly kafka: Kafka;
  private readonly brokers: string[];
  private readonly clientId: string;
  private readonly tuning: Required<KafkaConsumerTuning>;
  private adminConnection: Promise<Admin> | undefined;
  private readonly metadata = new Map<string, { partitions: PartitionMetadata[]; at: number }>();
  private readonly producers = new Set<KafkaLogProducer>();
  private readonly consumers = new Set<KafkaLogConsumer>();
  private closed = false;
  private readonly logLine: (line: KafkaLogLine) => void;

  constructor(options: KafkaEventLogOptions) {
    if (options.brokers.length === 0) throw new Error("KafkaEventLog needs at least one broker");
    this.brokers = options.brokers;
    this.clientId = options.clientId;
    this.tuning = { ...DEFAULT_TUNING, ...options.consumer };
    const configured = LEVELS[options.logLevel ?? "error"];
    this.logLine = options.log ?? writeLogLine;
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      ...kafkaSecurityConfig(options.security),
      connectionTimeout: 3_000,
      // Bounded: an unreachable cluster fails in seconds instead of kafkajs's long back-off.
      retry: {
        retries: options.connectRetries ?? 5,
        initialRetryTime: 100,
        maxRetryTime: 1_000,
      },
      logLevel: configured,
      logCreator: logCreator(configured, options.log ?? writeLogLine),
    });
  }

  async ensureTopics(specs: readonly TopicSpec[]): Promise<void> {
    const admin = await this.admin();
    if (specs.length === 0) {
      // Nothing to create (a reachability check): a metadata request with no topics would ask
      // for every topic on the cluster, and one leaderless partition anywhere would fail it.
      await admin.listTopics();
      return;
    }
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

  producer(options: ProducerOptions = {}): Producer {
    this.assertOpen();
    const producer = new KafkaLogProducer(
      this,
      () => this.kafka.producer(PRODUCER_CONFIG),
      options.lingerMs ?? 0,
    );
    this.producers.add(producer);
    return producer;
  }

  consumer(options: ConsumerOptions): Consumer {
    this.assertOpen();
    const consumer = new KafkaLogConsumer(this, options, this.tuning);
    this.consumers.add(consumer);
    return consumer;
  }

  reader(options: ReaderOptions): Reader {
    this.assertOpen();
    // kafkajs can only fetch as a group member (no manual assignment): the reader is the only
    // member of a fresh group that never commits, deleted again when the reader stops.
    const groupId = `${this.clientId}-reader-${hostname()}-${process.pid}-${randomBytes(4).toString("hex")}`;
    const consumer = new KafkaLogConsumer(
      this,
      { ...options, groupId, commits: "never", ephemeralGroup: true },
      this.tuning,
    );
    this.consumers.add(consumer);
    return consumer;
  }

  async offsets(topic: string): Promise<{ partition: number; low: number; high: number }[]> {
    const admin = await this.admin();
    await this.partitions(topic);
    // Asked again, it answers: kafkajs's fetchTopicOffsets throws a TypeError now and then when
    // admin calls overlap (tulios/kafkajs#461, "Cannot destructure property 'partitions'"), and
    // a topic just created has no leader for a moment (NOT_LEADER_FOR_PARTITION, retriable).
    let offsets: Awaited<ReturnType<Admin["fetchTopicOffsets"]>>;
    for (let attempt = 1; ; attempt++) {
      try {
        offsets = await admin.fetchTopicOffsets(topic);
        break;
      } catch (error) {
        const transient = error instanceof TypeError || isRetriableKafkaError(error);
        if (!transient || attempt >= 5) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
    return offsets
      .map((entry) => ({
        partition: entry.partition,
        low: Number(entry.low),
        high: Number(entry.high),
      }))
      .sort((a, b) => a.partition - b.partition);
  }

  async committed(groupId: string, topic: string): Promise<Map<number, number>> {
    const admin = await this.admin();
    const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const result = new Map<number, number>();
    for (const { partition, offset } of entry?.partitions ?? []) {
      const value = Number(offset);
      if (value >= 0) result.set(partition, value);
    }
    return result;
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

  /**
   * Where our clients report an outage (its start and its end, once each): the same sink as
   * kafkajs's lines, whatever the configured level.
   */
  reporter(): OutageLog {
    const report =
      (level: "warn" | "info") =>
      ({ err, ...fields }: { err?: unknown }, message: string) =>
        this.logLine({
          level,
          namespace: "fleetstream",
          message,
          extra: err === undefined ? fields : { ...fields, error: rootMessage(err) },
        });
    return { warn: report("warn"), info: report("info") };
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

  /** Deletes an empty group (a stopped reader's); best effort, the broker expires it anyway. */
  async deleteGroup(groupId: string): Promise<void> {
    if (this.closed && !this.adminConnection) return;
    try {
      const admin = await this.admin();
      await admin.deleteGroups([groupId]);
    } catch {
      // Not empty yet or already gone: the broker removes empty groups without offsets itself.
    }
  }

  forgetProducer(producer: KafkaLogProducer): void {
    this.producers.delete(producer);
  }

  forgetConsumer(consumer: KafkaLogConsumer): void {
    this.consumers.delete(consumer);
  }

  private admin(): Promise<Admin> {
    if (!this.adminConnection) {
      this.assertOpen();
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
