import { crc32C } from "./crc32c";
import { asKafkajsEncoder, replaceKafkajsModule, requireKafkajs } from "./kafkajs-module";
import { type Bytes, fastRecord } from "./record-encoding";

/**
 * kafkajs 2.2.4 builds a produce request through nested general-purpose Encoders: each record's
 * bytes are copied into a growing, zero-filled buffer for its batch, the batch into another for
 * its partition, that into one for its topic and that into one for the request (five copies of
 * every record, each growth a new zero-filled buffer), after an object spread per message and a
 * sort of the timestamps as strings. In the processor's CPU profile that request encoding was the
 * largest single item of its output path. This module puts in place of kafkajs's produce request
 * (v3, which v4 to v7 wrap) one that encodes each record once (record-encoding.ts) and copies it
 * once, into one buffer of the request's exact size: the same bytes. A request with compression,
 * or with anything it does not expect (a message without a timestamp, one that is not an integer)
 * goes through kafkajs's own. Imported before anything imports "kafkajs" (patches.ts), after
 * record-encoding.ts, whose encoder kafkajs's own request must load.
 */

interface Long {
  getHighBits(): number;
  getLowBits(): number;
}
interface Message {
  key?: Bytes;
  value?: Bytes;
  headers?: Record<string, Bytes | Bytes[]>;
  timestamp?: string | number | null;
}
interface PartitionData {
  partition: number;
  firstSequence?: number;
  messages: Message[];
}
interface TopicData {
  topic: string;
  partitions: PartitionData[];
}
export interface ProduceArgs {
  acks: number;
  timeout: number;
  transactionalId?: string | null;
  producerId?: Long;
  producerEpoch?: number;
  compression?: number;
  topicData: TopicData[];
}
interface ProduceRequest {
  encode(): Promise<unknown>;
}

const REQUEST = "protocol/requests/produce/v3/request.js";
const LongClass = requireKafkajs<{ fromValue(value: unknown): Long }>("utils/long.js");
/** kafkajs's own produce request (v3): what ours must equal byte for byte, and falls back to. */
export const kafkajsProduceRequest = requireKafkajs<(args: ProduceArgs) => ProduceRequest>(REQUEST);

const NO_COMPRESSION = 0;
const MAGIC_BYTE = 2;
const TRANSACTIONAL = 16;
/** A record batch's bytes before its records: offset, length, epoch, magic, crc, then the body. */
const BATCH_HEAD = 8 + 4 + 4 + 1 + 4;
/** The body's fixed part, which the crc covers with the records. */
const BATCH_BODY_HEAD = 2 + 4 + 8 + 8 + 8 + 2 + 4 + 4;
const DEFAULT_PRODUCER_ID = LongClass.fromValue(-1);
/** A timestamp as the event log writes it (ms as decimal text), exact as a number. */
const DIGITS = /^-?\d{1,15}$/;

/** A record batch to be written: its records' bytes and the values of its header. */
interface Batch {
  partition: number;
  firstSequence: number;
  records: Buffer[];
  recordBytes: number;
  firstTimestamp: string | number;
  maxTimestamp: string | number;
}

/**
 * The batch of one partition as kafkajs would build it, or undefined for what kafkajs handles
 * differently (a missing or falsy timestamp falls back to the time of encoding there).
 */
function batchOf(data: PartitionData): Batch | undefined {
  const { messages } = data;
  if (messages.length === 0) return undefined;
  // kafkajs: the timestamps sorted as Array.prototype.sort does (as strings), first and last.
  const timestamps: (string | number)[] = [];
  for (const m of messages) {
    const t = m.timestamp;
    const integer =
      typeof t === "number" ? Number.isSafeInteger(t) : typeof t === "string" && DIGITS.test(t);
    if (!t || !integer) return undefined;
    timestamps.push(t);
  }
  timestamps.sort();
  const firstTimestamp = timestamps[0] as string | number;
  const first = Number(firstTimestamp);
  const records: Buffer[] = new Array(messages.length);
  let recordBytes = 0;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i] as Message;
    const encoded = fastRecord({
      offsetDelta: i,
      timestampDelta: Number(m.timestamp) - first,
      key: m.key,
      value: m.value,
      headers: m.headers,
    }) as { buf: Buffer; offset: number };
    const bytes = encoded.buf.subarray(0, encoded.offset);
    records[i] = bytes;
    recordBytes += bytes.length;
  }
  return {
    partition: data.partition,
    firstSequence: data.firstSequence ?? 0,
    records,
    recordBytes,
    firstTimestamp,
    maxTimestamp: timestamps[timestamps.length - 1] as string | number,
  };
}

function writeInt64(buffer: Buffer, at: number, value: unknown): number {
  const long =
    value instanceof Object && "getHighBits" in value ? value : LongClass.fromValue(value);
  buffer.writeInt32BE((long as Long).getHighBits(), at);
  buffer.writeInt32BE((long as Long).getLowBits(), at + 4);
  return at + 8;
}

/** The request's body in one buffer, or undefined to leave it to kafkajs. */
export function encodeProduceRequest(
  args: ProduceArgs,
): { buf: Buffer; offset: number } | undefined {
  const { acks, timeout, transactionalId = null, topicData } = args;
  const producerId = args.producerId ?? DEFAULT_PRODUCER_ID;
  const producerEpoch = args.producerEpoch ?? 0;
  const attributes = transactionalId ? TRANSACTIONAL : 0;
  const topics: { name: string; nameBytes: number; batches: Batch[] }[] = [];
  let size = 2 + (transactionalId === null ? 0 : Buffer.byteLength(transactionalId)) + 2 + 4 + 4;
  for (const { topic, partitions } of topicData) {
    const nameBytes = Buffer.byteLength(topic);
    size += 2 + nameBytes + 4;
    const batches: Batch[] = [];
    for (const data of partitions) {
      const batch = batchOf(data);
      if (!batch) return undefined;
      batches.push(batch);
      size += 4 + 4 + BATCH_HEAD + BATCH_BODY_HEAD + batch.recordBytes;
    }
    topics.push({ name: topic, nameBytes, batches });
  }
  const buffer = Buffer.allocUnsafe(size);
  let at = 0;
  if (transactionalId === null) at = buffer.writeInt16BE(-1, at);
  else {
    at = buffer.writeInt16BE(Buffer.byteLength(transactionalId), at);
    at += buffer.write(transactionalId, at, "utf8");
  }
  at = buffer.writeInt16BE(acks, at);
  at = buffer.writeInt32BE(timeout, at);
  at = buffer.writeInt32BE(topics.length, at);
  for (const topic of topics) {
    at = buffer.writeInt16BE(topic.nameBytes, at);
    at += buffer.write(topic.name, at, "utf8");
    at = buffer.writeInt32BE(topic.batches.length, at);
    for (const batch of topic.batches) {
      const bodyBytes = BATCH_BODY_HEAD + batch.recordBytes;
      at = buffer.writeInt32BE(batch.partition, at);
      at = buffer.writeInt32BE(BATCH_HEAD + bodyBytes, at); // the record set's size
      at = writeInt64(buffer, at, 0); // first offset
      at = buffer.writeInt32BE(4 + 1 + 4 + bodyBytes, at); // the batch's length after this
      at = buffer.writeInt32BE(0, at); // partition leader epoch
      at = buffer.writeInt8(MAGIC_BYTE, at);
      const crcAt = at;
      at += 4;
      const bodyAt = at;
      at = buffer.writeInt16BE(attributes, at);
      at = buffer.writeInt32BE(batch.records.length - 1, at); // last offset delta
      at = writeInt64(buffer, at, batch.firstTimestamp);
      at = writeInt64(buffer, at, batch.maxTimestamp);
      at = writeInt64(buffer, at, producerId);
      at = buffer.writeInt16BE(producerEpoch, at);
      at = buffer.writeInt32BE(batch.firstSequence, at);
      at = buffer.writeInt32BE(batch.records.length, at);
      for (const record of batch.records) at += record.copy(buffer, at);
      buffer.writeUInt32BE(crc32C(buffer.subarray(bodyAt, at)), crcAt);
    }
  }
  return asKafkajsEncoder(buffer, at);
}

/** Ours, as kafkajs's produce request v3 (and v4 to v7 through it). */
export function produceRequest(args: ProduceArgs): ProduceRequest {
  const request = kafkajsProduceRequest(args);
  if ((args.compression ?? NO_COMPRESSION) !== NO_COMPRESSION) return request;
  return {
    ...request,
    encode: async () => encodeProduceRequest(args) ?? request.encode(),
  };
}

/** Whether kafkajs's producer uses this request (false: kafkajs was loaded before). */
export const kafkajsProduceEncodingPatched = replaceKafkajsModule(
  REQUEST,
  ["protocol/requests/produce/v4/request.js", "protocol/requests/produce/v5/request.js"],
  produceRequest,
);
