import type { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import {
  DriverAdapterError,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from "@prisma/driver-adapter-utils";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";

/**
 * Driver adapter factories for the WASM schema engine.
 *
 * The engine runs each migration.sql through `executeScript`. The stock adapters do not run it the
 * way `prisma migrate deploy` does (one multi-statement simple query, so PostgreSQL applies the
 * whole file in one implicit transaction):
 * - @prisma/adapter-pg splits the script on ";" (breaks function bodies and string literals) and
 *   sends each piece to whichever pooled connection is free;
 * - pglite-prisma-adapter does not await `exec`, so a failing migration is reported as applied
 *   and the error becomes an unhandled rejection.
 * These factories keep everything else from the stock adapters and replace `executeScript`.
 */
export interface MigrationAdapterFactory extends SqlMigrationAwareDriverAdapterFactory {
  /** Releases what the factory opened (not the caller's PGlite). */
  close(): Promise<void>;
}

interface PostgresErrorFields {
  code: string;
  message: string;
  severity: string;
  detail?: string;
  column?: string;
  hint?: string;
}

function isPostgresError(error: unknown): error is PostgresErrorFields {
  if (typeof error !== "object" || error === null) return false;
  const e = error as Record<string, unknown>;
  return (
    typeof e.code === "string" && typeof e.message === "string" && typeof e.severity === "string"
  );
}

async function runScript(run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (!isPostgresError(error)) throw error;
    throw new DriverAdapterError({
      kind: "postgres",
      code: error.code,
      severity: error.severity,
      message: error.message,
      detail: error.detail,
      column: error.column,
      hint: error.hint,
    });
  }
}

function withScriptRunner(
  adapter: SqlDriverAdapter,
  executeScript: (script: string) => Promise<void>,
  dispose: () => Promise<void> = () => adapter.dispose(),
): SqlDriverAdapter {
  const getConnectionInfo = adapter.getConnectionInfo?.bind(adapter);
  return {
    provider: adapter.provider,
    adapterName: adapter.adapterName,
    queryRaw: (query) => adapter.queryRaw(query),
    executeRaw: (query) => adapter.executeRaw(query),
    executeScript,
    startTransaction: (isolationLevel) => adapter.startTransaction(isolationLevel),
    ...(getConnectionInfo ? { getConnectionInfo } : {}),
    dispose,
  };
}

/**
 * Migrations on a PGlite instance the caller owns (and closes). The shadow database, which the
 * engine needs to diff from existing migrations, is a fresh in-memory PGlite.
 */
export function pgliteMigrationFactory(client: PGlite): MigrationAdapterFactory {
  const shadows = new Set<PGlite>();
  const wrap = async (db: PGlite, dispose?: () => Promise<void>) =>
    withScriptRunner(
      await new PrismaPGlite(db).connect(),
      (script) => runScript(() => db.exec(script)),
      dispose,
    );
  return {
    provider: "postgres",
    adapterName: "pglite-migrate",
    connect: () => wrap(client),
    async connectToShadowDb() {
      const { PGlite } = await import("@electric-sql/pglite");
      const shadow = await PGlite.create();
      shadows.add(shadow);
      return wrap(shadow, async () => {
        shadows.delete(shadow);
        await shadow.close();
      });
    },
    async close() {
      await Promise.all([...shadows].map((shadow) => shadow.close()));
      shadows.clear();
    },
  };
}

/**
 * Migrations on PostgreSQL through one dedicated connection: the engine's session-level
 * advisory lock, the migration scripts and the `_prisma_migrations` bookkeeping all use the same
 * session, and closing the factory releases the lock.
 */
export function postgresMigrationFactory(connectionString: string): MigrationAdapterFactory {
  const pool = new pg.Pool({ connectionString, max: 1, application_name: "fleetstream-migrate" });
  const base = new PrismaPg(pool);
  return {
    provider: "postgres",
    adapterName: "pg-migrate",
    async connect() {
      return withScriptRunner(await base.connect(), (script) =>
        runScript(() => pool.query(script)),
      );
    },
    // Only `diff` from a migrations directory needs a shadow database; scripts/new-migration.ts
    // uses PGlite for that, so the stock behaviour (a temporary database) is fine here.
    connectToShadowDb: () => base.connectToShadowDb(),
    close: () => pool.end(),
  };
}
