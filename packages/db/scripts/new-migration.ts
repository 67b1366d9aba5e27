/**
 * Writes prisma/migrations/<UTC timestamp>_<name>/migration.sql with the SQL that takes the
 * database from the existing migrations to prisma/schema.prisma, as `prisma migrate dev
 * --create-only` would, but with the WASM schema engine `diff` on throwaway in-memory PGlite
 * databases (no native engine download, no running database needed).
 *
 *   npm run db:new-migration -w @fleetstream/db -- <name>           e.g. add_geofences
 *   npm run db:new-migration -w @fleetstream/db -- <name> --empty   hand-written (data) migration
 *
 * Then run `npm run db:generate -w @fleetstream/db`, review the SQL and commit it;
 * `Database.migrate()` applies it at start-up. Never edit a migration that has been applied
 * somewhere: its checksum is recorded in _prisma_migrations.
 */
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { MIGRATIONS_DIR } from "../src/paths";
import { LOCKFILE_CONTENT, LOCKFILE_NAME, pendingSchemaSql } from "../src/schema-engine";

const EMPTY_MIGRATION = "-- This is an empty migration.\n";

/** Prisma's migration name prefix: UTC yyyyMMddHHmmss. */
function timestamp(now: Date): string {
  return now.toISOString().replace(/\D/g, "").slice(0, 14);
}

const args = process.argv.slice(2);
const allowEmpty = args.includes("--empty");
const name = args.find((arg) => !arg.startsWith("--"));
if (!name || !/^[a-z][a-z0-9_]*$/.test(name)) {
  console.error("usage: new-migration.ts <name_in_snake_case> [--empty]");
  process.exit(2);
}

const sql = await pendingSchemaSql();
if (sql === "" && !allowEmpty) {
  console.log(
    "schema.prisma already matches prisma/migrations: nothing to write " +
      "(pass --empty for a hand-written migration).",
  );
} else {
  const dir = path.join(MIGRATIONS_DIR, `${timestamp(new Date())}_${name}`);
  if (existsSync(dir)) throw new Error(`${dir} already exists`);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, "migration.sql"), sql === "" ? EMPTY_MIGRATION : sql, "utf8");
  await writeFile(path.join(MIGRATIONS_DIR, LOCKFILE_NAME), LOCKFILE_CONTENT, "utf8");
  console.log(`wrote ${path.relative(process.cwd(), dir)}/migration.sql`);
}
