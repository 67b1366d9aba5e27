import { DLQ_HEADERS } from "@fleetstream/contracts";
import { MAX_BATCH_BYTES, recordBytes } from "./chunks";
import type { ConsumedRecord, OutgoingRecord, Producer, SentRecord } from "./types";

/** Longest reason a dead-letter record carries; a longer one is cut, and says by how much. */
export const DLQ_REASON_MAX_CHARS = 1_000;
/** Largest dead-letter copy sent whole (one record must fit the broker's 1 MiB batch limit). */
export const DLQ_MAX_RECORD_BYTES = MAX_BATCH_BYTES;
/** Longest key a reference record keeps (the original key is kept with the stored copy). */
const REFERENCE_KEY_MAX_BYTES = 4_096;

/** A reason that fits a header: at most DLQ_REASON_MAX_CHARS characters. */
export function deadLetterReason(reason: string): string {
  if (reason.length <= DLQ_REASON_MAX_CHARS) return reason;
  const cut = reason.slice(0, DLQ_REASON_MAX_CHARS);
  return `${cut}… (${reason.length - DLQ_REASON_MAX_CHARS} more characters)`;
}

/**
 * The dead-letter copy of a record: original key, value and headers (their bytes exactly), plus
 * why and from where.
 */
export function deadLetterRecord(record: ConsumedRecord, reason: string, at: Date): OutgoingRecord {
  return {
    // The bytes, not the text: a key that is not UTF-8 would otherwise arrive changed.
    key: record.keyBytes,
    value: record.value,
    headers: { ...record.headerBytes, ...provenance(record, reason, at) },
  };
}

/**
 * The dead-letter record for `record`: its copy when that fits a Kafka record, else a reference
 * (provenance headers and `dlq.stored.in`, no value and no original headers) and `oversized`:
 * the caller keeps the original in `storedIn` (PostgreSQL) in the same transaction as its
 * checkpoint.
 */
export function deadLetterCopy(
  record: ConsumedRecord,
  reason: string,
  at: Date,
  storedIn: string,
): { record: OutgoingRecord; oversized: boolean } {
  const copy = deadLetterRecord(record, reason, at);
  if (recordBytes(copy) <= DLQ_MAX_RECORD_BYTES) return { record: copy, oversized: false };
  const key =
    record.keyBytes !== null && record.keyBytes.length <= REFERENCE_KEY_MAX_BYTES
      ? record.keyBytes
      : null;
  return {
    record: {
      key,
      value: null,
      headers: { ...provenance(record, reason, at), [DLQ_HEADERS.storedIn]: storedIn },
    },
    oversized: true,
  };
}

function provenance(record: ConsumedRecord, reason: string, at: Date): Record<string, string> {
  return {
    [DLQ_HEADERS.reason]: deadLetterReason(reason),
    [DLQ_HEADERS.sourceTopic]: record.topic,
    [DLQ_HEADERS.sourcePartition]: String(record.partition),
    [DLQ_HEADERS.sourceOffset]: String(record.offset),
    [DLQ_HEADERS.failedAt]: at.toISOString(),
  };
}

/** Dead-letters records that cannot be processed, in one send. */
export async function deadLetterAll(
  producer: Producer,
  dlqTopic: string,
  failures: readonly { record: ConsumedRecord; reason: string }[],
  now: () => Date = () => new Date(),
): Promise<SentRecord[]> {
  if (failures.length === 0) return [];
  const at = now();
  const sent = await producer.send(
    dlqTopic,
    failures.map(({ record, reason }) => deadLetterRecord(record, reason, at)),
  );
  if (sent.length !== failures.length)
    throw new Error(`Dead-lettering to "${dlqTopic}" was not acknowledged`);
  return sent;
}

/** Writes one record that cannot be processed to a dead-letter topic (see deadLetterAll). */
export async function deadLetter(
  producer: Producer,
  dlqTopic: string,
  record: ConsumedRecord,
  reason: string,
  now: () => Date = () => new Date(),
): Promise<SentRecord> {
  const [sent] = await deadLetterAll(producer, dlqTopic, [{ record, reason }], now);
  if (!sent) throw new Error(`Dead-lettering to "${dlqTopic}" was not acknowledged`);
  return sent;
}
