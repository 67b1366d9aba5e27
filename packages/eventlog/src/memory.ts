import "./kafka/patches";
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { TopicSpec } from "@fleetstream/contracts";
import { Partitioners, type PartitionMetadata } from "kafkajs";
import { MAX_RECORD_BYTES, RecordTooLargeError, recordBytes } from "./chunks";
import { failureSignal, maxBatchSizeOf, tpKey } from "./consumer-common";
import { partitionMetadata } from "./partitioner";
import type {
  ConsumedRecord,
  Consumer,
  ConsumerOptions,
  EventLog,
  HeaderBytes,
  Headers,
  OutgoingRecord,
  Producer,
  Reader,
  ReaderOptions,
  RecordBatch,
  SentRecord,
  TopicPartition,
} from "./types";

/** One stored record; values are private copies so senders and consumers cannot alias them. */
interface StoredRecord {
  key: string | null;
  keyBytes: Buffer | null;
  value: Buffer | null;
  headers: Headers;
  headerBytes: HeaderBytes;
  timestamp: number;
}

interface Topic {
  name: string;
  partitions: StoredRecord[][];
  config: Record<string, string>;
  /** What kafkajs's partitioner needs to know about the topic: every partition, all led. */
  metadata: PartitionMetadata[];
}

/** A wake-up signal: `next` resolves on the next `notify()`, so waiters never poll. */
class Signal {
  private wake!: () => void;
  next!: Promise<void>;

  constructor() {
    this.reset();
  }

  private reset(): void {
    this.next = new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  notify(): void {
    const wake = this.wake;
    this.reset();
    wake();
  }
}

interface Member {
  id: string;
  topics: readonly string[];
  /** Partitions this member owns in the current generation, per topic. */
  assignment: Map<string, number[]>;
  /**
   * Where the member reads next, per topic-partition it owns (like kafkajs's resolved offsets):
   * set from the committed offset (or startFrom) when first needed, moved by batches and seeks.
   */
  positions: Map<string, number>;
}

interface Group {
  id: string;
  members: Member[];
  /** Committed offsets (next offset to read) per topic-partition. */
  committed: Map<string, number>;
  /** Topic-partitions with a batch in flight, and which member holds it. */
  inFlight: Map<string, string>;
}

/**
 * Splits each topic's partitions into contiguous ranges over the members that subscribe to it,
 * in join order (Kafka's RangeAssignor): with 5 partitions and 2 members, [0,1,2] and [3,4].
 */
export function rangeAssign(
  members: readonly { id: string; topics: readonly string[] }[],
  partitionCounts: ReadonlyMap<string, number>,
): Map<string, Map<string, number[]>> {
  const result = new Map<string, Map<string, number[]>>();
  for (const member of members) result.set(member.id, new Map());
  for (const [topic, count] of partitionCounts) {
    const subscribers = members.filter((member) => member.topics.includes(topic));
    if (subscribers.length === 0) continue;
    const base = Math.floor(count / subscribers.length);
    const extra = count % subscribers.length;
    let next = 0;
    subscribers.forEach((member, index) => {
      const size = base + (index < extra ? 1 : 0);
      const partitions = Array.from({ length: size }, (_, i) => next + i);
      next += size;
      result.get(member.id)?.set(topic, partitions);
    });
  }
  return result;
}

function toBuffer(value: Buffer | string | null): Buffer | null {
  if (value === null) return null;
  return typeof value === "string" ? Buffer.from(value, "utf8") : Buffer.from(value);
}

/** Header values as text: bytes read as UTF-8, like the Kafka consumer does. */
function headerText(headers: OutgoingRecord["headers"] = {}): Headers {
  const text: Headers = {};
  for (const [name, value] of Object.entries(headers)) {
    const last = Array.isArray(value) ? value.at(-1) : value;
    if (last !== undefined) text[name] = typeof last === "string" ? last : last.toString("utf8");
  }
  return text;
}

/** Header values as private copies of their bytes (text encoded as UTF-8), repeats kept. */
function copyHeaderBytes(headers: OutgoingRecord["headers"] = {}): HeaderBytes {
  const bytes: HeaderBytes = {};
  for (const [name, value] of Object.entries(headers))
    bytes[name] = Array.isArray(value) ? value.map((one) => Buffer.from(one)) : Buffer.from(value);
  return bytes;
}

/**
 * The embedded event log: an in-process log with the Kafka semantics the apps rely on: the
 * partition for a key is the one kafkajs's DefaultPartitioner (Java-compatible murmur2) picks,
 * per-partition order and offsets from 0, consumer groups with range assignment and rebalances,
 * offsets committed after each batch, redelivery after a failed batch. Nothing is ever deleted.
 */
export class InMemoryEventLog implements EventLog {
  private readonly topics = new Map<string, Topic>();
  private readonly groups = new Map<string, Group>();
  private readonly consumers = new Set<{ stop(): Promise<void> }>();
  /** Fired on every append, commit, rebalance and stop: waiting consumers re-check their work. */
  readonly changed = new Signal();
  private memberSeq = 0;
  private closed = false;

  async ensureTopics(specs: readonly TopicSpec[]): Promise<void> {
    this.assertOpen();
    for (const spec of specs) {
      if (this.topics.has(spec.name)) continue;
      if (!Number.isInteger(spec.partitions) || spec.partitions < 1) {
        throw new Error(`Topic "${spec.name}" needs a positive partition count`);
      }
      this.topics.set(spec.name, {
        name: spec.name,
        partitions: Array.from({ length: spec.partitions }, () => []),
        config: { ...spec.config },
        metadata: partitionMetadata(spec.partitions),
      });
    }
  }

  producer(): Producer {
    this.assertOpen();
    // One partitioner per producer, as in kafkajs: its round-robin counter starts at random.
    const partitioner = Partitioners.DefaultPartitioner();
    let closed = false;
    return {
      send: async (topicName, records) => {
        if (closed) throw new Error("Producer is closed");
        this.assertOpen();
        const topic = this.topic(topicName);
        // Kafka's limit on one record, so the embedded log refuses what a broker would.
        for (const record of records) {
          const bytes = recordBytes(record);
          if (bytes > MAX_RECORD_BYTES) throw new RecordTooLargeError(topicName, bytes);
        }
        const sent: SentRecord[] = [];
        for (const record of records) {
          const partition = partitioner({
            topic: topicName,
            partitionMetadata: topic.metadata,
            message: { key: record.key, value: record.value },
          });
          sent.push(this.append(topic, partition, record));
        }
        if (sent.length > 0) this.changed.notify();
        return sent;
      },
      close: async () => {
        closed = true;
      },
    };
  }

  consumer(options: ConsumerOptions): Consumer {
    this.assertOpen();
    const consumer = new MemoryConsumer(this, options);
    this.consumers.add(consumer);
    return consumer;
  }

  reader(options: ReaderOptions): Reader {
    this.assertOpen();
    const reader = new MemoryReader(this, options);
    this.consumers.add(reader);
    return reader;
  }

  async offsets(topicName: string): Promise<{ partition: number; low: number; high: number }[]> {
    const topic = this.topic(topicName);
    return topic.partitions.map((records, partition) => ({
      partition,
      low: 0,
      high: records.length,
    }));
  }

  async committed(groupId: string, topicName: string): Promise<Map<number, number>> {
    const result = new Map<number, number>();
    const group = this.groups.get(groupId);
    const count = this.topics.get(topicName)?.partitions.length ?? 0;
    for (let partition = 0; partition < count; partition++) {
      const offset = group?.committed.get(tpKey(topicName, partition));
      if (offset !== undefined) result.set(partition, offset);
    }
    return result;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.all([...this.consumers].map((consumer) => consumer.stop()));
    this.closed = true;
  }

  // ---- used by MemoryConsumer and MemoryReader ----

  /** The topic, or a clear error like Kafka's with auto.create.topics.enable=false. */
  topic(name: string): Topic {
    const topic = this.topics.get(name);
    if (!topic) {
      throw new Error(
        `Unknown topic "${name}": topics are not auto-created; create it with ensureTopics first`,
      );
    }
    return topic;
  }

  forget(consumer: { stop(): Promise<void> }): void {
    this.consumers.delete(consumer);
  }

  join(groupId: string, topics: readonly string[]): { group: Group; member: Member } {
    for (const name of topics) this.topic(name);
    let group = this.groups.get(groupId);
    if (!group) {
      group = { id: groupId, members: [], committed: new Map(), inFlight: new Map() };
      this.groups.set(groupId, group);
    }
    this.memberSeq += 1;
    const member: Member = {
      id: `member-${String(this.memberSeq).padStart(9, "0")}`,
      topics: [...topics],
      assignment: new Map(),
      positions: new Map(),
    };
    group.members.push(member);
    this.rebalance(group);
    return { group, member };
  }

  leave(group: Group, member: Member): void {
    group.members = group.members.filter((other) => other !== member);
    for (const [key, holder] of group.inFlight) {
      if (holder === member.id) group.inFlight.delete(key);
    }
    this.rebalance(group);
  }

  private rebalance(group: Group): void {
    const counts = new Map<string, number>();
    for (const member of group.members) {
      for (const name of member.topics) counts.set(name, this.topic(name).partitions.length);
    }
    const assignments = rangeAssign(group.members, counts);
    for (const member of group.members) {
      const next = assignments.get(member.id) ?? new Map<string, number[]>();
      // A partition that moves loses the old owner's position, as in Kafka: the new owner
      // starts from the committed offset.
      for (const key of member.positions.keys()) {
        const [topicName = "", partition = ""] = key.split("\u0000");
        if (!next.get(topicName)?.includes(Number(partition))) member.positions.delete(key);
      }
      member.assignment = next;
    }
    this.changed.notify();
  }

  /** Records [from, from + max) of a partition, as consumed records (private copies). */
  read(topicName: string, partition: number, from: number, max: number): ConsumedRecord[] {
    const log = this.topic(topicName).partitions[partition] ?? [];
    const end = Math.min(log.length, from + max);
    const records: ConsumedRecord[] = [];
    for (let offset = from; offset < end; offset += 1) {
      const stored = log[offset] as StoredRecord;
      records.push({
        topic: topicName,
        partition,
        offset,
        key: stored.key,
        keyBytes: stored.keyBytes === null ? null : Buffer.from(stored.keyBytes),
        value: stored.value === null ? null : Buffer.from(stored.value),
        headers: { ...stored.headers },
        headerBytes: copyHeaderBytes(stored.headerBytes),
        timestamp: stored.timestamp,
      });
    }
    return records;
  }

  /** Builds the next batch for a member, or undefined when none of its partitions has work. */
  nextBatch(
    group: Group,
    member: Member,
    options: {
      startFrom: "earliest" | "latest";
      maxBatchSize: number;
      cursor: number;
      paused?: ReadonlySet<string>;
    },
  ): { batch: RecordBatch; key: string; nextOffset: number } | undefined {
    const owned: [string, number][] = [];
    for (const [topicName, partitions] of member.assignment) {
      for (const partition of partitions) owned.push([topicName, partition]);
    }
    for (let i = 0; i < owned.length; i += 1) {
      const [topicName, partition] = owned[(options.cursor + i) % owned.length] as [string, number];
      const key = tpKey(topicName, partition);
      // The previous owner is still processing a batch of this partition: wait for its commit.
      if (group.inFlight.has(key) || options.paused?.has(key)) continue;
      const length = this.topic(topicName).partitions[partition]?.length ?? 0;
      let position = member.positions.get(key);
      if (position === undefined) {
        position = group.committed.get(key) ?? (options.startFrom === "latest" ? length : 0);
        member.positions.set(key, position);
      }
      if (position >= length) continue;
      const records = this.read(topicName, partition, position, options.maxBatchSize);
      return {
        batch: { topic: topicName, partition, records, highWatermark: length },
        key,
        nextOffset: position + records.length,
      };
    }
    return undefined;
  }

  commit(group: Group, key: string, nextOffset: number): void {
    group.committed.set(key, nextOffset);
    this.changed.notify();
  }

  private append(topic: Topic, partition: number, record: OutgoingRecord): SentRecord {
    const log = topic.partitions[partition];
    if (!log) throw new Error(`Partition ${partition} of "${topic.name}" does not exist`);
    const { key } = record;
    if (key !== null && typeof key !== "string" && !Buffer.isBuffer(key)) {
      throw new TypeError("Record key must be a string, a Buffer or null");
    }
    // A string key stays as it was sent (as the text key); bytes are read as UTF-8, like Kafka.
    log.push({
      key: typeof key === "string" || key === null ? key : key.toString("utf8"),
      keyBytes: key === null ? null : Buffer.from(key),
      value: toBuffer(record.value),
      headers: headerText(record.headers),
      headerBytes: copyHeaderBytes(record.headers),
      timestamp: record.timestamp ?? Date.now(),
    });
    return { topic: topic.name, partition, offset: log.length - 1 };
  }

  private assertOpen(): void {
    if (this.closed) throw new Error("The event log is closed");
  }
}

type State = "new" | "running" | "stopping" | "stopped";

/** The partitions a member owns, as a set of tpKeys with their topic-partition. */
function ownedBy(member: Member): Map<string, TopicPartition> {
  const owned = new Map<string, TopicPartition>();
  for (const [topic, partitions] of member.assignment)
    for (const partition of partitions) owned.set(tpKey(topic, partition), { topic, partition });
  return owned;
}

/** What a consumer and a reader share: one delivery loop, started once, stopped by a flag. */
abstract class DeliveryLoop {
  readonly failed: Promise<never>;
  protected rejectFailed!: (error: unknown) => void;
  protected state: State = "new";
  protected loop: Promise<void> | undefined;
  protected readonly maxBatchSize: number;

  constructor(
    protected readonly log: InMemoryEventLog,
    options: { maxBatchSize?: number | undefined },
  ) {
    ({ failed: this.failed, fail: this.rejectFailed } = failureSignal());
    this.maxBatchSize = maxBatchSizeOf(options);
  }

  async stop(): Promise<void> {
    if (this.state === "new") {
      this.state = "stopped";
      this.log.forget(this);
      return;
    }
    if (this.state === "running") {
      this.state = "stopping";
      this.log.changed.notify();
    }
    await this.loop;
  }
}

class MemoryConsumer extends DeliveryLoop implements Consumer {
  private membership: { group: Group; member: Member } | undefined;
  /** Partitions sought during their batch in flight (that batch must not move the position). */
  private readonly sought = new Set<string>();
  /** Partitions not to fetch (backpressure). */
  private readonly paused = new Set<string>();

  constructor(
    log: InMemoryEventLog,
    private readonly options: ConsumerOptions,
  ) {
    super(log, options);
  }

  async start(): Promise<void> {
    if (this.state !== "new") throw new Error("A consumer can be started once");
    const { group, member } = this.log.join(this.options.groupId, this.options.topics);
    this.membership = { group, member };
    this.state = "running";
    this.loop = this.run(group, member);
  }

  async commit(topic: string, partition: number, offset: number): Promise<void> {
    const membership = this.membership;
    if (!membership || this.state === "stopped") return;
    const key = tpKey(topic, partition);
    if (!ownedBy(membership.member).has(key)) return;
    this.log.commit(membership.group, key, offset);
  }

  seek(topic: string, partition: number, offset: number): void {
    const member = this.membership?.member;
    const key = tpKey(topic, partition);
    if (!member || !ownedBy(member).has(key)) return;
    member.positions.set(key, offset);
    this.sought.add(key);
    this.log.changed.notify();
  }

  pause(topic: string, partition: number): void {
    this.paused.add(tpKey(topic, partition));
  }

  resume(topic: string, partition: number): void {
    if (this.paused.delete(tpKey(topic, partition))) this.log.changed.notify();
  }

  private async run(group: Group, member: Member): Promise<void> {
    let cursor = 0;
    let failure: { error: unknown } | undefined;
    let known = new Map<string, TopicPartition>();
    const { onAssigned, onRevoked } = this.options;
    try {
      while (this.state === "running") {
        // Take the signal before looking for work so a record appended meanwhile still wakes us.
        const changed = this.log.changed.next;
        const owned = ownedBy(member);
        const lost = [...known].filter(([key]) => !owned.has(key)).map(([, tp]) => tp);
        const gained = [...owned].filter(([key]) => !known.has(key)).map(([, tp]) => tp);
        known = owned;
        try {
          if (lost.length > 0) await onRevoked?.(lost);
          if (gained.length > 0) await onAssigned?.(gained);
        } catch (error) {
          failure = { error };
          break;
        }
        const next = this.log.nextBatch(group, member, {
          startFrom: this.options.startFrom ?? "earliest",
          maxBatchSize: this.maxBatchSize,
          cursor,
          paused: this.paused,
        });
        if (!next) {
          await changed;
          continue;
        }
        cursor += 1;
        group.inFlight.set(next.key, member.id);
        this.sought.delete(next.key);
        try {
          await this.options.eachBatch(next.batch);
        } catch (error) {
          failure = { error };
          break;
        } finally {
          group.inFlight.delete(next.key);
        }
        // Moved on, unless the handler sought elsewhere. Committed even when a rebalance moved
        // the partition meanwhile: the new owner waited for this batch.
        if (!this.sought.delete(next.key)) {
          if (ownedBy(member).has(next.key)) member.positions.set(next.key, next.nextOffset);
          if ((this.options.commits ?? "batch") === "batch")
            this.log.commit(group, next.key, next.nextOffset);
        }
        // Let timers and I/O run between batches instead of draining a backlog in one microtask run.
        await yieldToEventLoop();
      }
      // Stopping: revoke while still a member, so the handler can make its final commits.
      if (!failure && known.size > 0 && onRevoked) {
        try {
          await onRevoked([...known.values()]);
        } catch (error) {
          failure = { error };
        }
      }
    } finally {
      this.state = "stopped";
      this.log.leave(group, member);
      this.log.forget(this);
    }
    // Rejected only once the consumer has left its group, so a successor can take over at once.
    if (failure) this.rejectFailed(failure.error);
  }
}

/** A group-less reader: every partition of its topics, from the beginning or the end, no commits. */
class MemoryReader extends DeliveryLoop implements Reader {
  constructor(
    log: InMemoryEventLog,
    private readonly options: ReaderOptions,
  ) {
    super(log, options);
  }

  async start(): Promise<void> {
    if (this.state !== "new") throw new Error("A reader can be started once");
    const positions = new Map<string, { topic: string; partition: number; next: number }>();
    for (const topic of this.options.topics) {
      const partitions = this.log.topic(topic).partitions;
      partitions.forEach((records, partition) => {
        if (this.options.partitions && !this.options.partitions.includes(partition)) return;
        const next = this.options.startFrom === "latest" ? records.length : 0;
        positions.set(tpKey(topic, partition), { topic, partition, next });
      });
    }
    this.state = "running";
    this.loop = this.run([...positions.values()]);
  }

  private async run(positions: { topic: string; partition: number; next: number }[]) {
    try {
      while (this.state === "running") {
        const changed = this.log.changed.next;
        let delivered = false;
        for (const position of positions) {
          if (this.state !== "running") break;
          const records = this.log.read(
            position.topic,
            position.partition,
            position.next,
            this.maxBatchSize,
          );
          if (records.length === 0) continue;
          delivered = true;
          await this.options.eachBatch({
            topic: position.topic,
            partition: position.partition,
            records,
          });
          position.next += records.length;
        }
        if (delivered) await yieldToEventLoop();
        else await changed;
      }
    } catch (error) {
      this.rejectFailed(error);
    } finally {
      this.state = "stopped";
      this.log.forget(this);
    }
  }
}
