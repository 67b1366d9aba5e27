/**
 * Splitting a send into requests the broker accepts. Kafka refuses a partition's record batch
 * larger than its `message.max.bytes` (1 MiB by default), and kafkajs groups a send's records per
 * partition by copying an array per record, which is quadratic in records per partition (a send
 * of 40,000 records to one partition took 12 s). Every send is therefore cut into requests of at
 * most MAX_BATCH_RECORDS records and MAX_BATCH_BYTES bytes per partition, in order.
 */

/** Per partition and request; well under the broker's default 1 MiB record-batch limit. */
export const MAX_BATCH_BYTES = 512 * 1024;
/** Per partition and request; keeps kafkajs's per-partition grouping cheap. */
export const MAX_BATCH_RECORDS = 1_000;
/**
 * Largest record a producer sends: the broker's default limit minus room for the batch header.
 * A larger record cannot be written with the default broker settings whatever we do.
 */
export const MAX_RECORD_BYTES = 1_000_000;

/** What one record adds to its partition's batch: its bytes plus a generous per-record overhead. */
export function recordBytes(record: {
  key: string | Buffer | null;
  value: string | Buffer | null;
  headers?: Record<string, string | Buffer> | undefined;
}): number {
  let size = 40 + byteLength(record.key) + byteLength(record.value);
  if (record.headers) {
    for (const [name, value] of Object.entries(record.headers))
      size += 8 + Buffer.byteLength(name) + byteLength(value);
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
 * Cuts records (already assigned to partitions, in send order) into consecutive requests so that
 * no partition gets more than `maxRecords` records or `maxBytes` bytes in one request. Returns
 * the end index of each request. Throws RecordTooLargeError for a record over MAX_RECORD_BYTES.
 */
export function requestBoundaries(
  topic: string,
  records: readonly { partition: number; bytes: number }[],
  limits: { maxRecords: number; maxBytes: number } = {
    maxRecords: MAX_BATCH_RECORDS,
    maxBytes: MAX_BATCH_BYTES,
  },
): number[] {
  const ends: number[] = [];
  const count = new Map<number, number>();
  const bytes = new Map<number, number>();
  records.forEach((record, i) => {
    if (record.bytes > MAX_RECORD_BYTES) throw new RecordTooLargeError(topic, record.bytes);
    const n = count.get(record.partition) ?? 0;
    const b = bytes.get(record.partition) ?? 0;
    if (n > 0 && (n + 1 > limits.maxRecords || b + record.bytes > limits.maxBytes)) {
      ends.push(i);
      count.clear();
      bytes.clear();
    }
    count.set(record.partition, (count.get(record.partition) ?? 0) + 1);
    bytes.set(record.partition, (bytes.get(record.partition) ?? 0) + record.bytes);
  });
  if (records.length > 0) ends.push(records.length);
  return ends;
}
