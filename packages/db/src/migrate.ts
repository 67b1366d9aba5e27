import type { MigrationAdapterFactory } from "./migration-adapters";
import { NO_FILTERS, readMigrationList, withSchemaEngine } from "./schema-engine";

export interface MigrateResult {
  /** Names of the migrations applied by this call, oldest first; empty when already up to date. */
  applied: string[];
}

/**
 * Applies the migrations in prisma/migrations that the target database has not recorded yet, as
 * `prisma migrate deploy` does: same `_prisma_migrations` table, same checksums, same advisory
 * lock, so either tool can take over from the other. Idempotent.
 */
export async function applyMigrations(
  target: MigrationAdapterFactory,
  options: { migrationsDir?: string } = {},
): Promise<MigrateResult> {
  const migrationsList = await readMigrationList(options.migrationsDir);
  const { appliedMigrationNames } = await withSchemaEngine(target, (engine) =>
    engine.applyMigrations({ migrationsList, filters: NO_FILTERS }),
  );
  return { applied: appliedMigrationNames };
}
