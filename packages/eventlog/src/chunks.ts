/**
 * Splitting sends into requests the broker accepts: Kafka refuses a partition's record batch
 * larger than its `message.max.bytes` (1 MiB by default), so every request carries at most
 * MAX_BATCH_BYTES bytes and MAX_BATCH_RECORDS records per topic-partition, in order.
 */

/** Per partition and request: under the broker's default 1 MiB record-batch limit. */
export const MAX_BATCH_BYTES = 900 * 1024;
/** Per partition and request (kafkajs's grouping is linear: kafka/linear-grouping.ts). */
export const MAX_BATCH_RECORDS = 10_000;
/**
 * Largest record a producer sends: the broker's default limit minus room for the batch header.
 * A larger record cannot be written with the default broker settings whatever we do.
 */
export const MAX_RECORD_BYTES = 1_000_000;

/** What one record adds to its partition's batch: its bytes plus a generous per-record overhead. */
export function recordBytes(record: {
  key: string | Buffer | null;
  value: string | Buffer | null;
  headers?: Record<string, string | Buffer | (string | Buffer)[]> | undefined;
}): number {
  let size = 40 + byteLength(record.key) + byteLength(record.value);
  if (record.headers) {
    for (const [name, value] of Object.entries(record.headers))
      for (const one of Array.isArray(value) ? value : [value])
        size += 8 + Buffer.byteLength(name) + byteLength(one);
  }
  return size;
}

function byteLength(value: string | Buffer | null): number {
  if (value === null) return 0;
  return typeof value === "string" ? Buffer.byteLength(value) : value.length;
}

export class RecordTooLargeError extends Error {
  override name = "RecordTooLargeError";
  constructor(
    readonly topic: string,
    readonly bytes: number,
  ) {
    super(
      `a record of ${bytes} bytes for "${topic}" exceeds the ${MAX_RECORD_BYTES}-byte limit of a Kafka record`,
    );
  }
}

/**
 * Cuts records (each already assigned to a topic-partition `slot`, in send order) into
 * consecutive requests so that no slot gets more than `maxRecords` records or `maxBytes` bytes in
 * one request. Returns the end index of each request. Records must be under MAX_RECORD_BYTES.
 */
export function requestBoundaries(
  records: readonly { slot: string; bytes: number }[],
  limits: { maxRecords: number; maxBytes: number } = {
    maxRecords: MAX_BATCH_RECORDS,
    maxBytes: MAX_BATCH_BYTES,
  },
): number[] {
  const ends: number[] = [];
  const count = new Map<string, number>();
  const bytes = new Map<string, number>();
  records.forEach((record, i) => {
    const n = count.get(record.slot) ?? 0;
    const b = bytes.get(record.slot) ?? 0;
    if (n > 0 && (n + 1 > limits.maxRecords || b + record.bytes > limits.maxBytes)) {
      ends.push(i);
      count.clear();
      bytes.clear();
    }
    count.set(record.slot, (count.get(record.slot) ?? 0) + 1);
    bytes.set(record.slot, (bytes.get(record.slot) ?? 0) + record.bytes);
  });
  if (records.length > 0) ends.push(records.length);
  return ends;
}
