import { asKafkajsEncoder, replaceKafkajsModule, requireKafkajs } from "./kafkajs-module";

/**
 * kafkajs 2.2.4 encodes each produced record through a general-purpose Encoder: a zero-filled
 * 512-byte buffer per record, a JS array and a Buffer for every varint, 64-bit varints through
 * Long objects, one more Encoder per header. In the processor's pipeline bench that was a quarter
 * of everything the process allocated (a sampling allocation profile: Encoder, writeVarInt,
 * encodeZigZag64, writeVarLong, record/v0), and garbage collection was a fifth of its time.
 * This module puts in place of kafkajs's record encoder (`recordBatch/record/v0`) one that
 * measures the record and writes it into one exactly-sized buffer, the same bytes. Like
 * linear-grouping.ts it must be imported before anything imports "kafkajs" (the event log's entry
 * points import it first). Anything it does not expect (a timestamp delta that is not a safe
 * integer) goes through kafkajs's own encoder.
 */

export type Bytes = string | Buffer | null | undefined;
interface RecordArgs {
  offsetDelta?: number;
  timestampDelta?: number;
  key?: Bytes;
  value?: Bytes;
  headers?: Record<string, Bytes | Bytes[]>;
}

const RECORD = "protocol/recordBatch/record/v0/index.js";
/** kafkajs's own record encoder: what ours must equal byte for byte, and falls back to. */
export const kafkajsRecord = requireKafkajs<(args: RecordArgs) => { buffer: Buffer }>(RECORD);

/** An unsigned integer's varint length (7 bits a byte), for values up to 2^53. */
function unsignedSize(value: number): number {
  let bytes = 1;
  while (value >= 128) {
    value = Math.floor(value / 128);
    bytes++;
  }
  return bytes;
}

/** Zigzag: small negative and positive numbers both get short varints (exact up to 2^52). */
const zigzag = (value: number): number => (value >= 0 ? value * 2 : -value * 2 - 1);

function writeUnsigned(buffer: Buffer, offset: number, value: number): number {
  while (value >= 128) {
    buffer[offset++] = (value % 128) | 128;
    value = Math.floor(value / 128);
  }
  buffer[offset++] = value;
  return offset;
}

const lengthOf = (bytes: Bytes): number =>
  bytes === null || bytes === undefined
    ? -1
    : typeof bytes === "string"
      ? Buffer.byteLength(bytes)
      : Buffer.isBuffer(bytes)
        ? bytes.length
        : Buffer.byteLength(String(bytes));

/** A length-prefixed field's size: varint length, then the bytes (null: length -1, no bytes). */
const fieldSize = (length: number): number =>
  length < 0 ? 1 : unsignedSize(zigzag(length)) + length;

function writeField(buffer: Buffer, offset: number, bytes: Bytes, length: number): number {
  offset = writeUnsigned(buffer, offset, zigzag(length));
  if (length <= 0 || bytes === null || bytes === undefined) return offset;
  if (Buffer.isBuffer(bytes)) bytes.copy(buffer, offset);
  else buffer.write(typeof bytes === "string" ? bytes : String(bytes), offset, length, "utf8");
  return offset + length;
}

/** Header name/value pairs in kafkajs's order (a name with an array repeats, in order). */
function headerPairs(headers: Record<string, Bytes | Bytes[]>): [string, Bytes][] {
  const pairs: [string, Bytes][] = [];
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (Array.isArray(value)) for (const one of value) pairs.push([name, one]);
    else pairs.push([name, value]);
  }
  return pairs;
}

/** Ours, as kafkajs calls it. */
export function fastRecord(args: RecordArgs): unknown {
  const { offsetDelta = 0, timestampDelta = 0, key, value, headers } = args;
  if (
    !Number.isSafeInteger(timestampDelta) ||
    Math.abs(timestampDelta) > 2 ** 52 ||
    !Number.isSafeInteger(offsetDelta)
  )
    return kafkajsRecord(args);
  const keyLength = lengthOf(key);
  const valueLength = lengthOf(value);
  const pairs = headers ? headerPairs(headers) : [];
  const headerLengths: number[] = [];
  let headersSize = unsignedSize(zigzag(pairs.length));
  for (const [name, one] of pairs) {
    const nameLength = Buffer.byteLength(name);
    const oneLength = lengthOf(one);
    headerLengths.push(nameLength, oneLength);
    headersSize += fieldSize(nameLength) + fieldSize(oneLength);
  }
  const body =
    1 + // attributes
    unsignedSize(zigzag(timestampDelta)) +
    unsignedSize(zigzag(offsetDelta)) +
    fieldSize(keyLength) +
    fieldSize(valueLength) +
    headersSize;
  const buffer = Buffer.allocUnsafe(unsignedSize(zigzag(body)) + body);
  let at = writeUnsigned(buffer, 0, zigzag(body));
  buffer[at++] = 0; // attributes: none used
  at = writeUnsigned(buffer, at, zigzag(timestampDelta));
  at = writeUnsigned(buffer, at, zigzag(offsetDelta));
  at = writeField(buffer, at, key, keyLength);
  at = writeField(buffer, at, value, valueLength);
  at = writeUnsigned(buffer, at, zigzag(pairs.length));
  pairs.forEach(([name, one], i) => {
    at = writeField(buffer, at, name, headerLengths[2 * i] as number);
    at = writeField(buffer, at, one, headerLengths[2 * i + 1] as number);
  });
  // kafkajs's record batch copies `encoder.buffer` (buf up to offset) of each record.
  return asKafkajsEncoder(buffer, at);
}

/** Whether kafkajs's producer uses this encoder (false: kafkajs was loaded before). */
export const kafkajsRecordEncodingPatched = replaceKafkajsModule(
  RECORD,
  "protocol/requests/produce/v3/request.js",
  fastRecord,
);
