import { type Producer as KafkaProducer, Partitioners } from "kafkajs";
import { recordBytes, requestBoundaries } from "../chunks";
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

export class KafkaLogProducer implements Producer {
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
    const now = String(Date.now());
    const messages = records.map((record) => {
      const message = {
        key: record.key,
        value: record.value,
        headers: record.headers,
        timestamp: record.timestamp === undefined ? now : String(record.timestamp),
      };
      return { ...message, partition: this.partitioner({ topic, partitionMetadata, message }) };
    });
    const ends = requestBoundaries(
      topic,
      messages.map((m, i) => ({ partition: m.partition, bytes: recordBytes(records[i] ?? m) })),
    );
    const sent: SentRecord[] = [];
    let from = 0;
    for (const end of ends) {
      const chunk = messages.slice(from, end);
      from = end;
      const metadata = await this.producer.send({ topic, acks: -1, messages: chunk });
      // kafkajs groups a request by partition keeping the records' order: offsets count up from
      // each partition's baseOffset.
      const next = new Map<number, number>();
      for (const entry of metadata)
        next.set(entry.partition, Number(entry.baseOffset ?? Number.NaN));
      for (const message of chunk) {
        const offset = next.get(message.partition);
        if (offset === undefined || Number.isNaN(offset))
          throw new Error(`Kafka did not acknowledge partition ${message.partition} of "${topic}"`);
        next.set(message.partition, offset + 1);
        sent.push({ topic, partition: message.partition, offset });
      }
    }
    return sent;
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
