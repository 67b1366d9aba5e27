import type { PGlite, Transaction } from "@electric-sql/pglite";
import type pg from "pg";

/**
 * Plain SQL beside Prisma, for the processor's bulk writes: one statement per table per
 * checkpoint with column arrays (`unnest($1::text[], ...)`), on the same connections Prisma
 * uses. Prisma stays the way to query; this is the way to write tens of thousands of rows a
 * second without its per-row query building. Works on PostgreSQL (node-postgres) and PGlite.
 */
export interface Sql {
  /** Runs one statement; returns its rows (int8 columns come back as strings from PostgreSQL). */
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<R[]>;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T>;
}

/** Inside a transaction. */
export type SqlTx = Pick<Sql, "query">;

export function postgresSql(pool: pg.Pool): Sql {
  return {
    async query(text, params) {
      const result = await pool.query(text, params as unknown[] | undefined);
      return result.rows;
    },
    async transaction(fn) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query("BEGIN");
        const result = await fn({
          async query(text, params) {
            return (await client.query(text, params as unknown[] | undefined)).rows;
          },
        });
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch((rollbackError: unknown) => {
          // The connection itself failed (server gone): do not return it to the pool.
          broken =
            rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        });
        throw error;
      } finally {
        client.release(broken);
      }
    },
  };
}

export function pgliteSql(db: PGlite): Sql {
  const on = (target: PGlite | Transaction) => ({
    async query<R>(text: string, params?: readonly unknown[]): Promise<R[]> {
      return (await target.query<R>(text, params as unknown[] | undefined)).rows;
    },
  });
  return {
    query: (text, params) => on(db).query(text, params),
    transaction: (fn) => db.transaction((tx) => fn(on(tx))),
  };
}
