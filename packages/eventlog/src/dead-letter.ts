import { DLQ_HEADERS } from "@fleetstream/contracts";
import type { ConsumedRecord, Producer, SentRecord } from "./types";

/**
 * Writes a record that cannot be processed to a dead-letter topic: the original key and value
 * bytes untouched, the original headers, plus headers naming the reason and where it came from.
 */
export async function deadLetter(
  producer: Producer,
  dlqTopic: string,
  record: ConsumedRecord,
  reason: string,
  now: () => Date = () => new Date(),
): Promise<SentRecord> {
  const [sent] = await producer.send(dlqTopic, [
    {
      key: record.key,
      value: record.value,
      headers: {
        ...record.headers,
        [DLQ_HEADERS.reason]: reason,
        [DLQ_HEADERS.sourceTopic]: record.topic,
        [DLQ_HEADERS.sourcePartition]: String(record.partition),
        [DLQ_HEADERS.sourceOffset]: String(record.offset),
        [DLQ_HEADERS.failedAt]: now().toISOString(),
      },
    },
  ]);
  if (!sent) throw new Error(`Dead-lettering to "${dlqTopic}" was not acknowledged`);
  return sent;
}
