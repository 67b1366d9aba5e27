import type { PGlite, Transaction } from "@electric-sql/pglite";
import pg from "pg";
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
      if (script.length > 0) await pool.query(scriptQuery(script));
    },
    async query(text, params) {
      const result = await pool.query(text, plainParameters(params));
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
            return (await client.query(text, plainParameters(params))).rows;
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
      return (await target.query<R>(text, plainParameters(params))).rows;
    },
  });
  return {
    query: (text, params) => on(db).query(text, params),
    transaction: (fn) => db.transaction((tx) => fn(on(tx))),
    async batch(fn) {
      const script = await scriptOf(fn);
      if (script.length > 0) await db.transaction((tx) => tx.exec(script.join("")).then(() => {}));
    },
  };
}

/**
 * The text of a PostgreSQL literal (an array of a column's values), kept in pieces of under
 * 128 KB. V8 puts a string larger than that in its large-object space, and making one cost about
 * 5 ns a byte on Node 20 (measured: joining 140 KB took 0.8 ms, 120 KB 9 µs), while a
 * checkpoint's columns and script are megabytes: as one string each they were the processor's
 * costliest way to copy bytes. A batch sends the pieces as they are (scriptQuery).
 */
export class SqlLiteral {
  constructor(readonly pieces: readonly string[]) {}

  toString(): string {
    return this.pieces.join("");
  }
}

/** A statement's parameters as node-postgres and PGlite take them (a literal as one string). */
function plainParameters(params: readonly unknown[] | undefined): unknown[] | undefined {
  return params?.map((p) => (p instanceof SqlLiteral ? p.toString() : p));
}

const NUL = Buffer.alloc(1);

/**
 * The statements `fn` adds, as one script with their parameters written in: its text in pieces,
 * none over 128 KB (each parameter's literal in the pieces it came in), never joined.
 */
async function scriptOf(fn: (tx: SqlTx) => void | Promise<void>): Promise<string[]> {
  const parts: string[] = [];
  await fn({
    async query(text, params) {
      if (parts.length > 0) parts.push(";\n");
      writeStatement(parts, text, params ?? []);
      return [];
    },
  });
  return parts;
}

/**
 * A simple-protocol Query message ('Q', length, text, NUL) written piece by piece: the socket,
 * corked, sends the pieces in one writev, so the script is never one string nor one buffer
 * (node-postgres's own query takes one string). Answered like any query.
 */
function scriptQuery(parts: readonly string[]): pg.Query {
  const query = new pg.Query("(batch script)");
  query.submit = (connection) => {
    let bytes = 0;
    for (const part of parts) bytes += Buffer.byteLength(part);
    const header = Buffer.allocUnsafe(5);
    header[0] = 0x51; // 'Q'
    header.writeInt32BE(4 + bytes + 1, 1);
    const { stream } = connection;
    stream.cork();
    stream.write(header);
    for (const part of parts) stream.write(part, "utf8");
    stream.write(NUL);
    stream.uncork();
  };
  return query;
}

/**
 * `text` with $1, $2, ... replaced by literals of `params`, converted as node-postgres converts
 * parameters (its text format, untyped, so PostgreSQL infers their types from the context as it
 * does for a parameter), appended to `parts`. Dollar-quoted: taken as written, whatever quotes or
 * backslashes they hold, so nothing is escaped. Buffers become bytea hex literals.
 */
function writeStatement(parts: string[], text: string, params: readonly unknown[]): void {
  const pieces = text.split(/\$(\d+)/);
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i] as string;
    if (i % 2 === 0) {
      if (piece.length > 0) parts.push(piece);
      continue;
    }
    const value = params[Number(piece) - 1];
    if (value === null || value === undefined) parts.push("NULL");
    else if (Buffer.isBuffer(value)) parts.push(`'\\x${value.toString("hex")}'`);
    else {
      const literal = value instanceof SqlLiteral ? value.pieces : [String(prepareValue(value))];
      const tag = dollarTag(literal);
      parts.push(tag);
      for (const p of literal) parts.push(p);
      parts.push(tag);
    }
  }
}

/** A dollar-quote tag ($v$, $v1$, ...) that does not occur in the literal + the tag itself. */
function dollarTag(literal: readonly string[]): string {
  // The literal ends at the first tag after the opening one: it must be the closing one.
  let tag = "$v$";
  for (let i = 1; holdsTag(literal, tag); i++) tag = `$v${i}$`;
  return tag;
}

/**
 * Whether `tag` would occur in the literal's pieces + `tag` before the closing one: inside a
 * piece, across pieces, or across its end ("…$v" + "$v$"). Only a piece's ends are joined with
 * their neighbours' (`tail`: the last characters so far), never whole pieces.
 */
function holdsTag(literal: readonly string[], tag: string): boolean {
  const overlap = tag.length - 1;
  let tail = "";
  for (const piece of literal) {
    if (piece.includes(tag) || `${tail}${piece.slice(0, overlap)}`.includes(tag)) return true;
    tail = `${tail}${piece.slice(Math.max(0, piece.length - overlap))}`.slice(-overlap);
  }
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

/** Most elements per piece of an array literal: a number takes at most 24 characters. */
const ELEMENTS_PER_PIECE = 4_096;
/** A text array's piece ends once its strings reach this many characters (twice as JSON at most). */
const CHARACTERS_PER_PIECE = 32_768;

/**
 * A JSON array literal of JSON texts, to bind as one parameter and unnest in SQL with
 * `json_array_elements($1::json)` (the json type keeps each element's text as it was, so
 * `::text` gives it back unchanged). For a column of JSON documents (state snapshots) this needs
 * no escaping at all: as a text[] literal every quote in every document was escaped, which copied
 * the snapshot three more times (a sixth of a processor lane's allocations). Each text must be
 * valid JSON (JSON.stringify output).
 */
export function sqlJsonArray(jsonTexts: readonly string[]): SqlLiteral {
  const pieces = ["["];
  let start = 0;
  while (start < jsonTexts.length) {
    let end = start;
    for (let characters = 0; end < jsonTexts.length && characters < CHARACTERS_PER_PIECE; end++)
      characters += (jsonTexts[end] as string).length;
    if (start > 0) pieces.push(",");
    pieces.push(jsonTexts.slice(start, end).join(","));
    start = end;
  }
  pieces.push("]");
  return new SqlLiteral(pieces);
}

/**
 * A PostgreSQL array literal ('{1,2,NULL}') for a column of values, to bind as one text parameter
 * cast in SQL (`$1::float8[]`). node-postgres turns a JS array into the same literal element by
 * element through its generic value conversion; for tens of thousands of numbers per statement
 * that conversion was a visible part of the processor's CPU profile. JSON.stringify (native)
 * writes finite numbers, booleans and null as PostgreSQL reads them, so its output between
 * brackets is the literal; NaN and ±Infinity (which it writes as null) take the element-by-element
 * path, looked for only in a piece whose JSON holds a null.
 */
export function sqlArray(values: readonly (number | boolean | null)[]): SqlLiteral {
  const pieces = ["{"];
  for (let start = 0; start < values.length; start += ELEMENTS_PER_PIECE) {
    const chunk = values.slice(start, start + ELEMENTS_PER_PIECE);
    const json = JSON.stringify(chunk);
    if (start > 0) pieces.push(",");
    pieces.push(
      json.includes("null") && chunk.some(isNonFinite) ? slowElements(chunk) : json.slice(1, -1),
    );
  }
  pieces.push("}");
  return new SqlLiteral(pieces);
}

const isNonFinite = (v: number | boolean | null) => typeof v === "number" && !Number.isFinite(v);

function slowElements(values: readonly (number | boolean | null)[]): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    parts[i] =
      v === null || v === undefined ? "NULL" : typeof v === "boolean" ? (v ? "t" : "f") : String(v);
  }
  return parts.join(",");
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const CONTROL_CHARACTER = /[\u0000-\u001f\ud800-\udfff]/;
/** The escapes JSON.stringify writes for control characters and lone surrogates. */
const JSON_ESCAPE = /\\[bfnrtu]/;

/**
 * A PostgreSQL text[] literal: every element double-quoted, `"` and `\` escaped. JSON.stringify
 * (native, fast) quotes exactly so (and writes null as PostgreSQL's unquoted NULL), except for
 * control characters and UTF-16 surrogates, which it writes as escapes PostgreSQL would read
 * differently (`\n`, `\u0001`): a piece whose JSON holds one of those (or what looks like one,
 * `\\n`) takes the element-by-element path.
 */
export function sqlTextArray(values: readonly (string | null)[]): SqlLiteral {
  const pieces = ["{"];
  let start = 0;
  while (start < values.length) {
    let end = start;
    for (let characters = 0; end < values.length && characters < CHARACTERS_PER_PIECE; end++)
      characters += values[end]?.length ?? 4;
    const chunk = values.slice(start, end);
    const json = JSON.stringify(chunk);
    if (start > 0) pieces.push(",");
    pieces.push(JSON_ESCAPE.test(json) ? slowTextElements(chunk) : json.slice(1, -1));
    start = end;
  }
  pieces.push("}");
  return new SqlLiteral(pieces);
}

function slowTextElements(values: readonly (string | null)[]): string {
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
  return parts.join(",");
}
