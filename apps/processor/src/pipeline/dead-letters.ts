import type { SqlTx } from "@fleetstream/db";
import type { ConsumedRecord } from "@fleetstream/eventlog";

/** Table of dead-lettered records too large for their Kafka copy (header dlq.stored.in). */
export const DEAD_LETTER_TABLE = "dead_letters";

/** A refused input record kept whole in PostgreSQL. */
export interface StoredDeadLetter {
  record: ConsumedRecord;
  reason: string;
  failedAt: Date;
}

/** Inserts them in the checkpoint's transaction; one already there (a replay) is kept. */
export async function storeDeadLetters(
  tx: SqlTx,
  letters: readonly StoredDeadLetter[],
): Promise<void> {
  for (const { record, reason, failedAt } of letters) {
    await tx.query(
      `INSERT INTO ${DEAD_LETTER_TABLE}
         (source_topic, source_partition, source_offset, key, value, headers, reason, failed_at)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8)
       ON CONFLICT DO NOTHING`,
      [
        record.topic,
        record.partition,
        record.offset,
        record.key,
        record.value,
        JSON.stringify(record.headers),
        reason,
        failedAt,
      ],
    );
  }
}
