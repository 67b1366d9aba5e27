import type { Sql } from "./sql";

/**
 * position_fixes is partitioned by UTC day of event time (migration 20261201134321_throughput):
 * one table `position_fixes_pYYYYMMDD` per day. The processor creates the days it is about to
 * write (`ensureFixPartitions`, cached so a day is created once per process) and drops days past
 * the retention (`dropFixPartitionsBefore`), which is instant where a DELETE would take hours.
 */

const DAY_MS = 86_400_000;

/** The UTC day (epoch ms of its midnight) an event time falls in. */
export const dayOf = (eventTime: number): number => Math.floor(eventTime / DAY_MS) * DAY_MS;

/** Name of the partition holding a day, e.g. position_fixes_p20261201. */
export function fixPartitionName(day: number): string {
  return `position_fixes_p${new Date(day).toISOString().slice(0, 10).replaceAll("-", "")}`;
}

const DUPLICATE_TABLE = "42P07";
const UNIQUE_VIOLATION = "23505";

/** Creates the daily partitions of `days` (epoch ms, any time of day) that do not exist yet. */
export async function ensureFixPartitions(sql: Sql, days: Iterable<number>): Promise<void> {
  for (const day of new Set([...days].map(dayOf))) {
    const from = new Date(day).toISOString();
    const to = new Date(day + DAY_MS).toISOString();
    try {
      await sql.query(
        `CREATE TABLE IF NOT EXISTS "${fixPartitionName(day)}" PARTITION OF position_fixes
         FOR VALUES FROM ('${from}') TO ('${to}')`,
      );
    } catch (error) {
      // Another process created it in the same moment ("IF NOT EXISTS" is not atomic).
      const code = (error as { code?: unknown }).code;
      if (code !== DUPLICATE_TABLE && code !== UNIQUE_VIOLATION) throw error;
    }
  }
}

/** The existing daily partitions, oldest first (epoch ms of each day). */
export async function fixPartitionDays(sql: Sql): Promise<number[]> {
  const rows = await sql.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i
     JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
     WHERE p.relname = 'position_fixes'`,
  );
  return rows
    .map(({ name }) => /^position_fixes_p(\d{4})(\d{2})(\d{2})$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])))
    .sort((a, b) => a - b);
}

/** Drops the daily partitions that end at or before `cutoff` (epoch ms); returns their days. */
export async function dropFixPartitionsBefore(sql: Sql, cutoff: number): Promise<number[]> {
  const dropped: number[] = [];
  for (const day of await fixPartitionDays(sql)) {
    if (day + DAY_MS > cutoff) break;
    await sql.query(`DROP TABLE IF EXISTS "${fixPartitionName(day)}"`);
    dropped.push(day);
  }
  return dropped;
}
