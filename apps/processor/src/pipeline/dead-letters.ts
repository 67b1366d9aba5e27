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

/**
 * NUL and lone surrogates: PostgreSQL text holds no NUL, jsonb neither a \u0000 escape nor a lone
 * surrogate. A refused record may carry them in its key, headers or reason (which quotes the
 * key); inserting them as they are fails the checkpoint on every retry and stalls the partition.
 */
const NOT_PG_TEXT =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding NUL is the point
  /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Text PostgreSQL accepts: what it cannot hold becomes U+FFFD (the value column keeps the bytes). */
const pgText = (text: string): string => text.replace(NOT_PG_TEXT, "\ufffd");
const base64 = (bytes: Buffer): string => bytes.toString("base64");

/** Inserts them in the checkpoint's transaction; one already there (a replay) is kept. */
export async function storeDeadLetters(
  tx: SqlTx,
  letters: readonly StoredDeadLetter[],
): Promise<void> {
  for (const { record, reason, failedAt } of letters) {
    await tx.query(
      `INSERT INTO ${DEAD_LETTER_TABLE}
         (source_topic, source_partition, source_offset, key, key_bytes, value, headers,
          header_bytes, reason, failed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9, $10)
       ON CONFLICT DO NOTHING`,
      [
        record.topic,
        record.partition,
        record.offset,
        record.key === null ? null : pgText(record.key),
        record.keyBytes,
        record.value,
        JSON.stringify(
          Object.fromEntries(
            Object.entries(record.headers).map(([name, value]) => [pgText(name), pgText(value)]),
          ),
        ),
        // Exact bytes of each header value (text above is for reading; names are text in Kafka).
        JSON.stringify(
          Object.fromEntries(
            Object.entries(record.headerBytes).map(([name, value]) => [
              pgText(name),
              Array.isArray(value) ? value.map(base64) : base64(value),
            ]),
          ),
        ),
        pgText(reason),
        failedAt,
      ],
    );
  }
}
