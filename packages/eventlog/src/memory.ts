import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { TopicSpec } from "@fleetstream/contracts";
import { Partitioners, type PartitionMetadata } from "kafkajs";
import { failureSignal, maxBatchSizeOf } from "./consumer-common";
import type {
  ConsumedRecord,
  Consumer,
  ConsumerOptions,
  EventLog,
  Headers,
  OutgoingRecord,
  Producer,
  RecordBatch,
  SentRecord,
} from "./types";

/** One stored record; values are private copies so senders and consumers cannot alias them. */
interface StoredRecord {
  key: string | null;
  value: Buffer | null;
  headers: Headers;
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

const tpKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

interface Member {
  id: string;
  topics: readonly string[];
  /** Partitions this member owns in the current generation, per topic. */
  assignment: Map<string, number[]>;
  /** Start positions resolved for partitions with no commit (like Kafka's auto.offset.reset). */
  resetPositions: Map<string, number>;
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

/**
 * The embedded event log: an in-process log with the Kafka semantics the apps rely on: the
 * partition for a key is the one kafkajs's DefaultPartitioner (Java-compatible murmur2) picks,
 * per-partition order and offsets from 0, consumer groups with range assignment and rebalances,
 * offsets committed after each batch, redelivery after a failed batch. Nothing is ever deleted.
 */
export class InMemoryEventLog implements EventLog {
  private readonly topics = new Map<string, Topic>();
  private readonly groups = new Map<string, Group>();
  private readonly consumers = new Set<MemoryConsumer>();
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
        metadata: Array.from({ length: spec.partitions }, (_, partitionId) => ({
          partitionId,
          leader: 0,
          partitionErrorCode: 0,
          replicas: [0],
          isr: [0],
        })),
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

  async offsets(topicName: string): Promise<{ partition: number; low: number; high: number }[]> {
    const topic = this.topic(topicName);
    return topic.partitions.map((records, partition) => ({
      partition,
      low: 0,
      high: records.length,
    }));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.all([...this.consumers].map((consumer) => consumer.stop()));
    this.closed = true;
  }

  // ---- used by MemoryConsumer ----

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

  forget(consumer: MemoryConsumer): void {
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
      resetPositions: new Map(),
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
      // A partition that moves loses the old owner's unconsumed reset position, as in Kafka.
      for (const key of member.resetPositions.keys()) {
        const [topicName = "", partition = ""] = key.split("\u0000");
        if (!next.get(topicName)?.includes(Number(partition))) member.resetPositions.delete(key);
      }
      member.assignment = next;
    }
    this.changed.notify();
  }

  /** Builds the next batch for a member, or undefined when none of its partitions has work. */
  nextBatch(
    group: Group,
    member: Member,
    options: { startFrom: "earliest" | "latest"; maxBatchSize: number; cursor: number },
  ): { batch: RecordBatch; key: string; nextOffset: number } | undefined {
    const owned: [string, number][] = [];
    for (const [topicName, partitions] of member.assignment) {
      for (const partition of partitions) owned.push([topicName, partition]);
    }
    for (let i = 0; i < owned.length; i += 1) {
      const [topicName, partition] = owned[(options.cursor + i) % owned.length] as [string, number];
      const key = tpKey(topicName, partition);
      // The previous owner is still processing a batch of this partition: wait for its commit.
      if (group.inFlight.has(key)) continue;
      const log = this.topic(topicName).partitions[partition] ?? [];
      let position = group.committed.get(key);
      if (position === undefined) {
        position = member.resetPositions.get(key);
        if (position === undefined) {
          position = options.startFrom === "latest" ? log.length : 0;
          member.resetPositions.set(key, position);
        }
      }
      if (position >= log.length) continue;
      const end = Math.min(log.length, position + options.maxBatchSize);
      const records: ConsumedRecord[] = [];
      for (let offset = position; offset < end; offset += 1) {
        const stored = log[offset] as StoredRecord;
        records.push({
          topic: topicName,
          partition,
          offset,
          key: stored.key,
          value: stored.value === null ? null : Buffer.from(stored.value),
          headers: { ...stored.headers },
          timestamp: stored.timestamp,
        });
      }
      return { batch: { topic: topicName, partition, records }, key, nextOffset: end };
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
    if (record.key !== null && typeof record.key !== "string") {
      throw new TypeError("Record key must be a string or null");
    }
    log.push({
      key: record.key,
      value: toBuffer(record.value),
      headers: { ...record.headers },
      timestamp: record.timestamp ?? Date.now(),
    });
    return { topic: topic.name, partition, offset: log.length - 1 };
  }

  private assertOpen(): void {
    if (this.closed) throw new Error("The event log is closed");
  }
}

type State = "new" | "running" | "stopping" | "stopped";

class MemoryConsumer implements Consumer {
  readonly failed: Promise<never>;
  private rejectFailed!: (error: unknown) => void;
  private state: State = "new";
  private loop: Promise<void> | undefined;
  private readonly maxBatchSize: number;

  constructor(
    private readonly log: InMemoryEventLog,
    private readonly options: ConsumerOptions,
  ) {
    ({ failed: this.failed, fail: this.rejectFailed } = failureSignal());
    this.maxBatchSize = maxBatchSizeOf(options);
  }

  async start(): Promise<void> {
    if (this.state !== "new") throw new Error("A consumer can be started once");
    const { group, member } = this.log.join(this.options.groupId, this.options.topics);
    this.state = "running";
    this.loop = this.run(group, member);
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

  private async run(group: Group, member: Member): Promise<void> {
    let cursor = 0;
    let failure: { error: unknown } | undefined;
    try {
      while (this.state === "running") {
        // Take the signal before looking for work so a record appended meanwhile still wakes us.
        const changed = this.log.changed.next;
        const next = this.log.nextBatch(group, member, {
          startFrom: this.options.startFrom ?? "earliest",
          maxBatchSize: this.maxBatchSize,
          cursor,
        });
        if (!next) {
          await changed;
          continue;
        }
        cursor += 1;
        group.inFlight.set(next.key, member.id);
        try {
          await this.options.eachBatch(next.batch);
        } catch (error) {
          failure = { error };
          break;
        } finally {
          group.inFlight.delete(next.key);
        }
        // Committed even when a rebalance moved the partition meanwhile: the new owner waited.
        this.log.commit(group, next.key, next.nextOffset);
        // Let timers and I/O run between batches instead of draining a backlog in one microtask run.
        await yieldToEventLoop();
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
