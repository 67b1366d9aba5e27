import type { TopicSpec } from "@fleetstream/contracts";

/**
 * The one seam between the apps and Kafka. Two implementations share this contract and one test
 * suite: `KafkaEventLog` (kafkajs, real brokers) and `InMemoryEventLog` (the embedded default).
 */
export type Headers = Record<string, string>;

export interface OutgoingRecord {
  /** Partitioning key; records with one key keep their order. */
  key: string | null;
  value: Buffer | string | null;
  headers?: Headers;
  /** Record timestamp, epoch ms; defaults to now. */
  timestamp?: number;
}

export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  value: Buffer | null;
  headers: Headers;
  timestamp: number;
}

export interface RecordBatch {
  topic: string;
  partition: number;
  /** In offset order, all from one partition. */
  records: ConsumedRecord[];
}

export interface SentRecord {
  topic: string;
  partition: number;
  offset: number;
}

export interface Producer {
  /** Sends records to one topic; resolves when the log has acknowledged all of them. */
  send(topic: string, records: OutgoingRecord[]): Promise<SentRecord[]>;
  close(): Promise<void>;
}

export interface ConsumerOptions {
  groupId: string;
  topics: string[];
  /** Where a group with no committed offset starts: earliest (default) or latest. */
  startFrom?: "earliest" | "latest";
  /** Most records handed to one eachBatch call (default 500); bounds the work in flight. */
  maxBatchSize?: number;
  /**
   * Called once per batch; the batch's offsets are committed only after it resolves.
   * If it throws, nothing of the batch is committed and the consumer stops with that error
   * (a restart resumes at the last commit, so the batch is redelivered).
   */
  eachBatch(batch: RecordBatch): Promise<void>;
}

export interface Consumer {
  /**
   * Resolves once the consumer has joined its group and been assigned partitions (records sent
   * after that are seen, even with startFrom latest). A consumer starts once; make a new one to
   * restart. Rejects with "Unknown topic ..." for a topic that does not exist.
   */
  start(): Promise<void>;
  /** Stops fetching, waits for the batch in flight, commits it, leaves the group. */
  stop(): Promise<void>;
  /** Rejects if eachBatch threw (the consumer has stopped); pending while it runs. */
  readonly failed: Promise<never>;
}

export interface EventLog {
  /** Creates the topics that do not exist yet, with their partitions and configs. */
  ensureTopics(specs: readonly TopicSpec[]): Promise<void>;
  producer(): Producer;
  consumer(options: ConsumerOptions): Consumer;
  /** Per partition: [earliest, next) offsets; used by tests, lag display and benchmarks. */
  offsets(topic: string): Promise<{ partition: number; low: number; high: number }[]>;
  close(): Promise<void>;
}
