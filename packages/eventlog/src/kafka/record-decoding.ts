import { replaceKafkajsModule, requireKafkajs } from "./kafkajs-module";

/**
 * kafkajs 2.2.4 decodes each consumed record's 64-bit fields through Long objects: its varlong
 * reader makes three per byte, and the record's timestamp and offset each parse the batch's
 * first one from a decimal string, add the delta and print it again. Every consumer of ours
 * pays that per record (the processor, each web instance, the benches' readers). This module
 * puts in place of kafkajs's record decoder (`recordBatch/record/v0/decoder`) one that reads the
 * same fields with plain numbers and returns the same object. Like record-encoding.ts it must be
 * imported before anything imports "kafkajs". A record it does not expect (headers, a delta or
 * a sum beyond 2^53) goes to kafkajs's own decoder.
 */

interface Decoder {
  buffer: Buffer;
  offset: number;
}
interface BatchContext {
  firstOffset: string;
  firstTimestamp: string;
  magicByte?: number;
  isControlBatch?: boolean;
  timestampType?: number;
  maxTimestamp?: string;
}
type RecordDecoder = (decoder: Decoder, batchContext?: BatchContext) => unknown;

const RECORD_DECODER = "protocol/recordBatch/record/v0/decoder.js";
/** kafkajs's own record decoder: what ours must equal, and falls back to. */
export const kafkajsRecordDecoder = requireKafkajs<RecordDecoder>(RECORD_DECODER);
const { LOG_APPEND_TIME } = requireKafkajs<{ LOG_APPEND_TIME: number }>(
  "protocol/timestampTypes.js",
);

/** Where the last varint ended (reading one returns its value). */
let end = 0;

/** A zigzag varint as a number; NaN beyond 7 bytes (49 bits, exact) or past the buffer. */
function readVarint(buffer: Buffer, offset: number): number {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 7; i++) {
    const byte = buffer[offset + i];
    if (byte === undefined) return Number.NaN;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) {
      end = offset + i + 1;
      return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
    }
    scale *= 128;
  }
  return Number.NaN;
}

// The batch's first offset and timestamp as numbers, for the records of the same batch.
let lastContext: BatchContext | undefined;
let firstOffset = 0;
let firstTimestamp = 0;

/** Ours, as kafkajs calls it. */
export function fastRecordDecoder(decoder: Decoder, batchContext = {} as BatchContext): unknown {
  if (batchContext !== lastContext) {
    lastContext = batchContext;
    firstOffset = Number(batchContext.firstOffset);
    firstTimestamp = Number(batchContext.firstTimestamp);
  }
  const { buffer } = decoder;
  const start = decoder.offset;
  const attributes = buffer.readInt8(start);
  const timestampDelta = readVarint(buffer, start + 1);
  const offsetDelta = readVarint(buffer, end);
  const keyLength = readVarint(buffer, end);
  const keyAt = end;
  const valueLength = readVarint(buffer, keyAt + Math.max(0, keyLength));
  const valueAt = end;
  const headerCount = readVarint(buffer, valueAt + Math.max(0, valueLength));
  const timestamp = firstTimestamp + timestampDelta;
  const offset = firstOffset + offsetDelta;
  if (
    !(headerCount === 0 || headerCount === -1) ||
    // Exact only if the batch's first values are (a decimal string past 2^53 parses rounded).
    !Number.isSafeInteger(firstTimestamp) ||
    !Number.isSafeInteger(firstOffset) ||
    !Number.isSafeInteger(timestamp) ||
    !Number.isSafeInteger(offset) ||
    keyLength < -1 ||
    valueLength < -1 ||
    end > buffer.length
  )
    return kafkajsRecordDecoder(decoder, batchContext);
  decoder.offset = end;
  const { magicByte, isControlBatch = false, timestampType, maxTimestamp } = batchContext;
  return {
    magicByte,
    attributes,
    timestamp: timestampType === LOG_APPEND_TIME && maxTimestamp ? maxTimestamp : String(timestamp),
    offset: String(offset),
    key: keyLength === -1 ? null : buffer.slice(keyAt, keyAt + keyLength),
    value: valueLength === -1 ? null : buffer.slice(valueAt, valueAt + valueLength),
    headers: {},
    isControlRecord: isControlBatch,
    batchContext,
  };
}

/** Whether kafkajs's consumer uses this decoder (false: kafkajs was loaded before). */
export const kafkajsRecordDecodingPatched = replaceKafkajsModule(
  RECORD_DECODER,
  "protocol/recordBatch/v0/decoder.js",
  fastRecordDecoder,
);
