import { mkdir } from "node:fs/promises";
import type { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { type Prisma, PrismaClient } from "./generated/prisma/client";
import type { MigrateResult } from "./migrate";
import type { MigrationAdapterFactory } from "./migration-adapters";
import { DEFAULT_PGLITE_DIR } from "./paths";
import { type DirectoryLock, lockDataDir } from "./pglite-lock";
import { pgliteSql, postgresSql, type Sql } from "./sql";

export type DatabaseKind = "postgres" | "pglite";

export interface OpenDatabaseOptions {
  /**
   * Usually DATABASE_URL. `postgres://` or `postgresql://` → PostgreSQL; `pglite://memory` → an
   * in-memory embedded database (tests); absent or empty → embedded PGlite persisted at `dataDir`.
   */
  url?: string | undefined;
  /** PGlite data directory when `url` is absent. Default: `<repo root>/.data/pglite`. */
  dataDir?: string | undefined;
  /** Prisma Client log levels, e.g. ["warn", "error"]. */
  log?: Prisma.LogLevel[] | undefined;
  /** Most PostgreSQL connections (default 10). */
  poolSize?: number | undefined;
}

export interface Database {
  readonly kind: DatabaseKind;
  /** Where the data lives, safe to log: the URL without its password, a directory, or "memory". */
  readonly location: string;
  readonly prisma: PrismaClient;
  /** Plain SQL on the same connections, for bulk writes (see sql.ts). */
  readonly sql: Sql;
  /** Applies pending migrations from prisma/migrations; returns the names it applied. */
  migrate(): Promise<MigrateResult>;
  /** Disconnects Prisma and closes the pool or the embedded database. Safe to call twice. */
  close(): Promise<void>;
}

type Target =
  | { kind: "postgres"; url: string }
  | { kind: "pglite"; dataDir: string | undefined /* undefined = in memory */ };

/** The URL with its password replaced, for logs and error messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "<unparsable URL>";
  }
}

function resolveTarget(options: OpenDatabaseOptions): Target {
  const url = options.url?.trim();
  if (!url) return { kind: "pglite", dataDir: options.dataDir ?? DEFAULT_PGLITE_DIR };
  if (/^postgres(ql)?:\/\//i.test(url)) return { kind: "postgres", url };
  if (url.toLowerCase() === "pglite://memory") return { kind: "pglite", dataDir: undefined };
  throw new Error(
    `DATABASE_URL must start with postgres:// or postgresql:// (PostgreSQL) or be pglite://memory ` +
      `(in-memory embedded database), got "${redactUrl(url)}". Leave DATABASE_URL unset to use ` +
      `the embedded database in ${options.dataDir ?? DEFAULT_PGLITE_DIR}.`,
  );
}

/**
 * Opens the application database: PostgreSQL when given a postgres URL, otherwise PGlite
 * (PostgreSQL compiled to WASM, in-process). Does not migrate; call `migrate()` at start-up.
 *
 * PGlite is a single connection: queries from one process are queued by PGlite itself, so
 * concurrent Prisma calls are fine, but only ONE process may open a given data directory.
 */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  const target = resolveTarget(options);
  const log = options.log ?? [];

  if (target.kind === "postgres") {
    // One pool for Prisma and plain SQL. Errors of idle connections (a server restart) are
    // handled here: the pool drops the connection and the next query opens a new one.
    const pool = new pg.Pool({
      connectionString: target.url,
      application_name: "fleetstream",
      max: options.poolSize ?? 10,
    });
    pool.on("error", () => {});
    const prisma = new PrismaClient({ adapter: new PrismaPg(pool), log });
    return makeDatabase({
      kind: "postgres",
      location: redactUrl(target.url),
      prisma,
      sql: postgresSql(pool),
      migrationFactory: async () => {
        const { postgresMigrationFactory } = await import("./migration-adapters");
        return postgresMigrationFactory(target.url);
      },
      closeDriver: () => pool.end(),
    });
  }

  const { PGlite } = await import("@electric-sql/pglite");
  const { PrismaPGlite } = await import("pglite-prisma-adapter");
  let pglite: PGlite;
  let lock: DirectoryLock | undefined;
  if (target.dataDir === undefined) {
    pglite = await PGlite.create();
  } else {
    await mkdir(target.dataDir, { recursive: true });
    lock = await lockDataDir(target.dataDir);
    try {
      pglite = await PGlite.create(target.dataDir);
    } catch (error) {
      await lock.release();
      throw error;
    }
  }
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite), log });
  return makeDatabase({
    kind: "pglite",
    location: target.dataDir ?? "memory",
    prisma,
    sql: pgliteSql(pglite),
    migrationFactory: async () => {
      const { pgliteMigrationFactory } = await import("./migration-adapters");
      return pgliteMigrationFactory(pglite);
    },
    closeDriver: async () => {
      await pglite.close();
      await lock?.release();
    },
  });
}

function makeDatabase(parts: {
  kind: DatabaseKind;
  location: string;
  prisma: PrismaClient;
  sql: Sql;
  migrationFactory: () => Promise<MigrationAdapterFactory>;
  closeDriver: () => Promise<void>;
}): Database {
  let closing: Promise<void> | undefined;
  return {
    kind: parts.kind,
    location: parts.location,
    prisma: parts.prisma,
    sql: parts.sql,
    async migrate() {
      // Loaded on demand: the schema engine is 5 MB of WASM that query-only callers never need.
      const { applyMigrations } = await import("./migrate");
      const factory = await parts.migrationFactory();
      try {
        return await applyMigrations(factory);
      } finally {
        await factory.close();
      }
    },
    close() {
      closing ??= (async () => {
        await parts.prisma.$disconnect();
        await parts.closeDriver();
      })();
      return closing;
    },
  };
}
