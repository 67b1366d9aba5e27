import type { Database } from "./database";

/** Socket errors, PostgreSQL SQLSTATEs (admin shutdown, cannot connect now, connection
 * exceptions) and Prisma codes (P1001 can't reach, P1002 timed out, P1017 closed, P2024 pool
 * timeout) that mean the server is away, not that the statement is wrong. */
const CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "57P01",
  "57P02",
  "57P03",
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
  "P1001",
  "P1002",
  "P1017",
  "P2024",
]);
/** Prisma driver-adapter error kinds with the same meaning. */
const KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout"]);
const MESSAGES =
  /Connection terminated|Can't reach database server|timeout exceeded when trying to connect|PGlite is closed/;

/**
 * Whether a database call failed because PostgreSQL (or PGlite) cannot be reached right now,
 * anywhere in the error's cause chain (pg, Prisma, driver adapter): the same call may succeed
 * once the server is back. Callers retry those with backoff, or answer 503.
 */
export function isDatabaseUnreachable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const pending: unknown[] = [error];
  while (pending.length > 0 && seen.size < 20) {
    const current = pending.pop();
    if (typeof current !== "object" || current === null || seen.has(current)) continue;
    seen.add(current);
    const { code, kind, message, cause, meta } = current as {
      code?: unknown;
      kind?: unknown;
      message?: unknown;
      cause?: unknown;
      meta?: { driverAdapterError?: unknown };
    };
    if (typeof code === "string" && CODES.has(code)) return true;
    if (typeof kind === "string" && KINDS.has(kind)) return true;
    if (typeof message === "string" && MESSAGES.test(message)) return true;
    pending.push(cause, meta?.driverAdapterError);
  }
  return false;
}

/**
 * The database as an app's start-up dependency (see `whenReachable` in @fleetstream/service):
 * migrating is its first call, retried while PostgreSQL cannot be reached.
 */
export function databaseMigrations(db: Pick<Database, "migrate">) {
  return {
    name: "PostgreSQL",
    call: () => db.migrate(),
    unreachable: isDatabaseUnreachable,
  };
}
