import type { TopicSpec } from "@fleetstream/contracts";

/**
 * The one seam between the apps and Kafka. Two implementations share this contract and one test
 * suite: `KafkaEventLog` (kafkajs, real brokers) and `InMemoryEventLog` (the embedded default).
 */
/** Header values as text; a name that repeats (Kafka allows it) reads as its last value. */
export type Headers = Record<string, string>;
/**
 * Header values as bytes (header names are text in Kafka): a name that repeats in the record
 * has all its values, in order, as an array.
 */
export type HeaderBytes = Record<string, Buffer | Buffer[]>;
/** A header to send: text (sent as UTF-8) or bytes; several values send the name repeated. */
export type OutgoingHeaderValue = string | Buffer | (string | Buffer)[];

export interface OutgoingRecord {
  /** Partitioning key; records with one key keep their order. Bytes are sent as they are. */
  key: string | Buffer | null;
  value: Buffer | string | null;
  /** Values as text (sent as UTF-8) or bytes (sent as they are); an array repeats the name. */
  headers?: Record<string, OutgoingHeaderValue>;
  /** Record timestamp, epoch ms; defaults to now. */
  timestamp?: number;
}

export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: number;
  /** The key as text (UTF-8: bytes that are not UTF-8 read as U+FFFD). */
  key: string | null;
  /**
   * The key's bytes exactly as stored: what a copy of the record (a dead letter) sends, so the
   * copy keeps a key that is not UTF-8 (which `key` cannot tell apart from another).
   */
  keyBytes: Buffer | null;
  value: Buffer | null;
  /** Header values as text (UTF-8, like `key`). */
  headers: Headers;
  /** The same header values as bytes, exactly as stored (what a dead-letter copy sends). */
  headerBytes: HeaderBytes;
  timestamp: number;
}

export interface RecordBatch {
  topic: string;
  partition: number;
  /** In offset order, all from one partition. */
  records: ConsumedRecord[];
  /** The partition's end offset when the batch was fetched (lag = highWatermark - next offset). */
  highWatermark?: number;
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

export interface ProducerOptions {
  /**
   * How long a send waits for others to share its request (0, the default: none, each request
   * goes as soon as the one before is acknowledged). A producer of many small sends, such as the
   * simulator, then makes a few large requests instead of hundreds of small ones a second, which
   * costs it and the broker less CPU, for at most this much latency (Kafka's linger.ms).
   */
  lingerMs?: number;
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface ConsumerOptions {
  groupId: string;
  topics: string[];
  /** Where a group with no committed offset starts: earliest (default) or latest. */
  startFrom?: "earliest" | "latest";
  /** Most records handed to one eachBatch call (default 500); bounds the work in flight. */
  maxBatchSize?: number;
  /**
   * Who commits offsets. "batch" (default): each batch's end is committed once eachBatch resolved.
   * "manual": nothing is committed unless the handler calls `consumer.commit` — for a stream
   * processor whose state checkpoints cover more than one batch (it commits what they cover).
   */
  commits?: "batch" | "manual";
  /**
   * Called once per batch. If it throws, nothing of the batch is committed and the consumer stops
   * with that error (a restart resumes at the last commit, so the batch is redelivered).
   */
  eachBatch(batch: RecordBatch): Promise<void>;
  /**
   * Partitions this member gained. Batches of a partition are delivered only after the callback
   * for it has resolved, so an operator can restore the partition's state here.
   */
  onAssigned?(partitions: TopicPartition[]): Promise<void> | void;
  /**
   * Partitions this member lost (rebalance, stop). No batch of them is in flight when it is
   * called and none is delivered after it, so an operator drops their state here.
   */
  onRevoked?(partitions: TopicPartition[]): Promise<void> | void;
}

export interface Consumer {
  /**
   * Resolves once the consumer has joined its group and been assigned partitions (records sent
   * after that are seen, even with startFrom latest). A consumer starts once; make a new one to
   * restart. Rejects with "Unknown topic ..." for a topic that does not exist.
   */
  start(): Promise<void>;
  /** Stops fetching, waits for the batch in flight (committing it in "batch" mode), leaves the group. */
  stop(): Promise<void>;
  /** Rejects if eachBatch threw (the consumer has stopped); pending while it runs. */
  readonly failed: Promise<never>;
  /**
   * Commits `offset` (the next offset the group should read) for a partition this member owns.
   * For "manual" commits; a partition it no longer owns is left alone.
   */
  commit(topic: string, partition: number, offset: number): Promise<void>;
  /**
   * Delivers a partition this member owns again from `offset` (e.g. after its state was reloaded
   * from a checkpoint). A batch of it in flight is its last from the old position.
   */
  seek(topic: string, partition: number, offset: number): void;
  /** Stops fetching a partition (backpressure); its batch in flight still completes. */
  pause(topic: string, partition: number): void;
  resume(topic: string, partition: number): void;
}

/** A reader of whole topics, outside any consumer group: nothing is committed. */
export interface ReaderOptions {
  topics: string[];
  /** Every record from the beginning (default), or only those written after start(). */
  startFrom?: "earliest" | "latest";
  /**
   * Only these partitions of each topic (all by default): e.g. where one key's records are
   * (partitionForKey), without fetching and decoding the others.
   */
  partitions?: readonly number[];
  maxBatchSize?: number;
  /** Called once per batch; if it throws, the reader stops with that error. */
  eachBatch(batch: RecordBatch): Promise<void>;
}

export interface Reader {
  /** Resolves once reading has begun: records sent after that are seen. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Rejects if eachBatch threw (the reader has stopped); pending while it runs. */
  readonly failed: Promise<never>;
}

export interface EventLog {
  /** Creates the topics that do not exist yet, with their partitions and configs. */
  ensureTopics(specs: readonly TopicSpec[]): Promise<void>;
  producer(options?: ProducerOptions): Producer;
  consumer(options: ConsumerOptions): Consumer;
  /** Reads whole topics without a consumer group (every instance sees every record). */
  reader(options: ReaderOptions): Reader;
  /** Per partition: [earliest, next) offsets; used for lag, the idle rule, tests and benchmarks. */
  offsets(topic: string): Promise<{ partition: number; low: number; high: number }[]>;
  /** The group's committed offsets for a topic (next offset to read), per partition that has one. */
  committed(groupId: string, topic: string): Promise<Map<number, number>>;
  close(): Promise<void>;
}
