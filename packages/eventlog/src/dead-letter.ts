import { DLQ_HEADERS } from "@fleetstream/contracts";
import type { ConsumedRecord, OutgoingRecord, Producer, SentRecord } from "./types";

/** The dead-letter copy of a record: original key, value and headers, plus why and from where. */
export function deadLetterRecord(record: ConsumedRecord, reason: string, at: Date): OutgoingRecord {
  return {
    key: record.key,
    value: record.value,
    headers: {
      ...record.headers,
      [DLQ_HEADERS.reason]: reason,
      [DLQ_HEADERS.sourceTopic]: record.topic,
      [DLQ_HEADERS.sourcePartition]: String(record.partition),
      [DLQ_HEADERS.sourceOffset]: String(record.offset),
      [DLQ_HEADERS.failedAt]: at.toISOString(),
    },
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
