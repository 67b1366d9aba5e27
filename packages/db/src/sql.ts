import type { PGlite, Transaction } from "@electric-sql/pglite";
import type pg from "pg";
// node-postgres's own conversion of a parameter to its text form (no types for this module).
// @ts-expect-error untyped internal module of pg
import { prepareValue } from "pg/lib/utils.js";

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
  /**
   * Runs the statements `fn` adds as one transaction in ONE round trip (a multi-statement script,
   * parameters written in as literals). Their rows are not available (query resolves to []): a
   * statement that must stop the transaction raises instead (`fleetstream_assert`, see
   * `assertionKind`). A transaction of ten statements otherwise waits for ten round trips, each
   * behind whatever else the client's event loop is busy with.
   */
  batch(fn: (tx: SqlTx) => void | Promise<void>): Promise<void>;
}

/** Inside a transaction. */
export type SqlTx = Pick<Sql, "query">;

export function postgresSql(pool: pg.Pool): Sql {
  return {
    async batch(fn) {
      const script = await scriptOf(fn);
      // No parameters: the simple query protocol, which runs a multi-statement string as one
      // implicit transaction.
      if (script) await pool.query(script);
    },
    async query(text, params) {
      const result = await pool.query(text, params as unknown[] | undefined);
      return result.rows;
    },
    async transaction(fn) {
      const client = await pool.connect();
      let broken: Error | undefined;
      // A server that goes away mid-transaction makes the checked-out client emit "error"; with
      // no listener that would end the process. The query in progress fails with it anyway.
      const onError = (error: Error) => {
        broken = error;
      };
      client.on("error", onError);
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
        client.off("error", onError);
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
    async batch(fn) {
      const script = await scriptOf(fn);
      if (script) await db.transaction((tx) => tx.exec(script).then(() => {}));
    },
  };
}

/** The statements `fn` adds, as one script with their parameters written in. */
async function scriptOf(fn: (tx: SqlTx) => void | Promise<void>): Promise<string> {
  const statements: string[] = [];
  await fn({
    async query(text, params) {
      statements.push(inlineParameters(text, params ?? []));
      return [];
    },
  });
  return statements.join(";\n");
}

/**
 * `text` with $1, $2, ... replaced by literals of `params`, converted as node-postgres converts
 * parameters (its text format, untyped, so PostgreSQL infers their types from the context as it
 * does for a parameter). Dollar-quoted: taken as written, whatever quotes or backslashes they
 * hold, so nothing is escaped. Buffers become bytea hex literals.
 */
export function inlineParameters(text: string, params: readonly unknown[]): string {
  return text.replace(/\$(\d+)/g, (_, n: string) => {
    const value = params[Number(n) - 1];
    if (value === null || value === undefined) return "NULL";
    if (Buffer.isBuffer(value)) return `'\\x${value.toString("hex")}'`;
    return dollarQuoted(String(prepareValue(value)));
  });
}

function dollarQuoted(value: string): string {
  // The literal ends at the first tag after the opening one: it must be the closing one.
  let tag = "$v$";
  for (let i = 1; holdsTag(value, tag); i++) tag = `$v${i}$`;
  return `${tag}${value}${tag}`;
}

/**
 * Whether `tag` would occur in `value` + `tag` before the closing one: inside the value, or
 * across its end ("…$v" + "$v$"). Only the value's last characters are joined with the tag: the
 * values are array literals of megabytes, which a whole concatenation would copy.
 */
function holdsTag(value: string, tag: string): boolean {
  if (value.includes(tag)) return true;
  const tail = value.slice(Math.max(0, value.length - tag.length + 1));
  return `${tail}${tag}`.indexOf(tag) < tail.length;
}

/**
 * The kind of a failed `fleetstream_assert(ok, message, kind)` (a migration defines it), or
 * undefined for any other error.
 */
export function assertionKind(error: unknown): string | undefined {
  const hint = (error as { hint?: unknown } | null)?.hint;
  return typeof hint === "string" && hint.startsWith("fleetstream:")
    ? hint.slice("fleetstream:".length)
    : undefined;
}

/**
 * A PostgreSQL array literal ('{1,2,NULL}') for a column of values, to bind as one text parameter
 * cast in SQL (`$1::float8[]`). node-postgres turns a JS array into the same literal element by
 * element through its generic value conversion; for tens of thousands of numbers per statement
 * that conversion was a visible part of the processor's CPU profile. JSON.stringify (native)
 * writes finite numbers, booleans and null as PostgreSQL reads them, so its output between
 * braces is the literal; NaN and ±Infinity (JSON null) take the element-by-element path.
 */
export function sqlArray(values: readonly (number | boolean | null)[]): string {
  for (const v of values)
    if (typeof v === "number" && !Number.isFinite(v)) return slowArray(values);
  return `{${JSON.stringify(values).slice(1, -1)}}`;
}

function slowArray(values: readonly (number | boolean | null)[]): string {
  let text = "{";
  for (let i = 0; i < values.length; i++) {
    if (i > 0) text += ",";
    const v = values[i];
    text +=
      v === null || v === undefined ? "NULL" : typeof v === "boolean" ? (v ? "t" : "f") : String(v);
  }
  return `${text}}`;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const CONTROL_CHARACTER = /[\u0000-\u001f\ud800-\udfff]/;

/**
 * A PostgreSQL text[] literal: every element double-quoted, `"` and `\` escaped. JSON.stringify
 * (native, fast) quotes exactly so (and writes null as PostgreSQL's unquoted NULL), except for
 * control characters and UTF-16 surrogates, which it may write as escapes PostgreSQL would read
 * differently: an array with one of those takes the element-by-element path.
 */
export function sqlTextArray(values: readonly (string | null)[]): string {
  for (const v of values)
    if (v !== null && v !== undefined && CONTROL_CHARACTER.test(v)) return slowTextArray(values);
  return `{${JSON.stringify(values).slice(1, -1)}}`;
}

function slowTextArray(values: readonly (string | null)[]): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    parts[i] =
      v === null || v === undefined
        ? "NULL"
        : CONTROL_CHARACTER.test(v)
          ? `"${v.replace(/[\\"]/g, "\\$&")}"`
          : JSON.stringify(v);
  }
  return `{${parts.join(",")}}`;
}
