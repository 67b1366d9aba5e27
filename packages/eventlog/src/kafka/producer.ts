import { type Producer as KafkaProducer, type Message, Partitioners } from "kafkajs";
import { MAX_RECORD_BYTES, RecordTooLargeError, recordBytes, requestBoundaries } from "../chunks";
import { partitionForKey } from "../partitioner";
import type { OutgoingRecord, Producer, SentRecord } from "../types";
import type { KafkaEventLog } from "./log";

export const PRODUCER_CONFIG = {
  idempotent: true,
  createPartitioner: Partitioners.DefaultPartitioner,
  allowAutoTopicCreation: false,
  // kafkajs's idempotent default is to retry forever; ~30 s (1 s apart at most) lets a broker
  // restart pass, then the send fails so the caller can stop instead of hanging on shutdown.
  retry: { retries: 30 },
} as const;

/**
 * Sends stop lingering once this many records wait: a request that full gains nothing by waiting
 * (as batch.size ends linger.ms in Kafka's producer), and a producer at its limit (fleet-sim's
 * load mode) would lose throughput.
 */
const LINGER_UNTIL_RECORDS = 1_000;

/** A send() waiting to be written, and what its caller waits for. */
interface PendingSend {
  topic: string;
  records: OutgoingRecord[];
  resolve(sent: SentRecord[]): void;
  reject(error: unknown): void;
}

/** One record of a request: where it goes and which send it belongs to. */
interface Slot {
  send: number;
  index: number;
  topic: string;
  partition: number;
  /** Its topic-partition as one string (topic NUL partition), made once per partition. */
  slot: string;
  message: Message & { partition: number };
  bytes: number;
}

/**
 * The event log's producer on kafkajs: idempotent, acks from all in-sync replicas, partitions
 * chosen up front with kafkajs's own (Java-compatible) partitioner so each record's offset is
 * known. One request is in flight at a time: kafkajs's idempotent producer assigns sequence
 * numbers per request and silently loses records when requests to one partition overlap
 * (kafkajs #1005). Sends made while a request is in flight are gathered into the next one, whatever
 * their topics, as the Java producer batches while it lingers: one round trip carries many callers'
 * records, cut to the broker's limits (chunks.ts). Order per partition is call order.
 */
export class KafkaLogProducer implements Producer {
  private readonly partitioner = Partitioners.DefaultPartitioner();
  private producer: KafkaProducer;
  private connection: Promise<void> | undefined;
  private waiting: PendingSend[] = [];
  /** Records in `waiting`: a request's worth goes without lingering. */
  private waitingRecords = 0;
  private inFlight: Promise<void> | undefined;
  /** Set while the waiting sends linger (lingerMs) before their request. */
  private lingering: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly log: KafkaEventLog,
    private readonly createProducer: () => KafkaProducer,
    private readonly lingerMs = 0,
  ) {
    this.producer = createProducer();
  }

  send(topic: string, records: OutgoingRecord[]): Promise<SentRecord[]> {
    if (this.closed) return Promise.reject(new Error("Producer is closed"));
    if (records.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.waiting.push({ topic, records, resolve, reject });
      this.waitingRecords += records.length;
      this.pump();
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.flushNow(); // what lingers is written before the producer disconnects
    while (this.inFlight) await this.inFlight;
    this.log.forgetProducer(this);
    if (this.connection) {
      await this.connection.catch(() => {});
      await this.producer.disconnect();
    }
  }

  private pump(): void {
    if (this.inFlight || this.waiting.length === 0) return;
    if (this.lingerMs > 0 && !this.closed && this.waitingRecords < LINGER_UNTIL_RECORDS)
      this.lingering ??= setTimeout(() => this.flushNow(), this.lingerMs);
    else this.flushNow();
  }

  private flushNow(): void {
    clearTimeout(this.lingering);
    this.lingering = undefined;
    if (!this.inFlight && this.waiting.length > 0) this.writeWaiting();
  }

  private writeWaiting(): void {
    const sends = this.waiting;
    this.waiting = [];
    this.waitingRecords = 0;
    this.inFlight = this.write(sends).finally(() => {
      this.inFlight = undefined;
      this.pump();
    });
  }

  /** Writes the gathered sends in as few requests as the limits allow; settles each send. */
  private async write(sends: PendingSend[]): Promise<void> {
    const results: SentRecord[][] = sends.map(() => []);
    const failed = new Map<number, unknown>();
    const slots: Slot[] = [];
    const metadata = new Map<string, Awaited<ReturnType<KafkaEventLog["partitions"]>>>();
    for (const [i, send] of sends.entries()) {
      try {
        let partitionMetadata = metadata.get(send.topic);
        if (!partitionMetadata) {
          partitionMetadata = await this.log.partitions(send.topic);
          metadata.set(send.topic, partitionMetadata);
        }
        const now = String(Date.now());
        const slotNames: string[] = [];
        for (const { partitionId } of partitionMetadata)
          slotNames[partitionId] = `${send.topic}\u0000${partitionId}`;
        const mine: Slot[] = [];
        for (const [index, record] of send.records.entries()) {
          // A string value stays a string: the record encoder (record-encoding.ts) writes it
          // straight into the record's buffer, with no Buffer of its own in between.
          const value = record.value;
          const bytes = recordBytes({ key: record.key, value, headers: record.headers });
          if (bytes > MAX_RECORD_BYTES) throw new RecordTooLargeError(send.topic, bytes);
          // A keyed record's partition is its key's hash (remembered for text keys); a record
          // without a key goes round the partitions (kafkajs's partitioner).
          const partition =
            record.key === null
              ? this.partitioner({
                  topic: send.topic,
                  partitionMetadata,
                  message: { key: null, value },
                })
              : partitionForKey(record.key, partitionMetadata.length);
          const message = {
            key: record.key,
            value,
            headers: record.headers,
            timestamp: record.timestamp === undefined ? now : String(record.timestamp),
            partition,
          };
          mine.push({
            send: i,
            index,
            topic: send.topic,
            partition,
            slot: slotNames[partition] ?? `${send.topic}\u0000${partition}`,
            message,
            bytes,
          });
        }
        for (const slot of mine) slots.push(slot);
      } catch (error) {
        failed.set(i, error);
      }
    }
    if (slots.length > 0) {
      try {
        await this.connected();
        const ends = requestBoundaries(slots);
        let from = 0;
        for (const end of ends) {
          await this.request(slots.slice(from, end), results);
          from = end;
        }
      } catch (error) {
        // After a failed request (a broker restart) kafkajs's idempotent producer and the broker
        // may disagree on sequence numbers: every later send fails with "out of order sequence
        // number". The next request goes through a new producer (a new producer id) instead.
        this.renew();
        // What was not acknowledged may or may not be written: its senders retry (at least once).
        for (const slot of slots)
          if (results[slot.send]?.[slot.index] === undefined) failed.set(slot.send, error);
      }
    }
    sends.forEach((send, i) => {
      const error = failed.get(i);
      if (error !== undefined) send.reject(error);
      else send.resolve(results[i] as SentRecord[]);
    });
  }

  /** One request: records grouped by topic, offsets from each partition's base offset. */
  private async request(slots: Slot[], results: SentRecord[][]): Promise<void> {
    const byTopic = new Map<string, Slot[]>();
    for (const slot of slots) {
      const list = byTopic.get(slot.topic);
      if (list) list.push(slot);
      else byTopic.set(slot.topic, [slot]);
    }
    const metadata = await this.producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, list]) => ({
        topic,
        messages: list.map((s) => s.message),
      })),
    });
    const next = new Map<string, number>();
    for (const entry of metadata)
      next.set(
        `${entry.topicName}\u0000${entry.partition}`,
        Number(entry.baseOffset ?? Number.NaN),
      );
    for (const slot of slots) {
      const key = slot.slot;
      const offset = next.get(key);
      if (offset === undefined || Number.isNaN(offset))
        throw new Error(`Kafka did not acknowledge partition ${slot.partition} of "${slot.topic}"`);
      next.set(key, offset + 1);
      (results[slot.send] as SentRecord[])[slot.index] = {
        topic: slot.topic,
        partition: slot.partition,
        offset,
      };
    }
  }

  private renew(): void {
    const old = this.producer;
    const connection = this.connection;
    this.producer = this.createProducer();
    this.connection = undefined;
    if (connection) void connection.then(() => old.disconnect()).catch(() => {});
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
