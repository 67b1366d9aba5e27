// `@fleetstream/db/migrations`: migration tooling, kept out of the main entry so that apps which
// only query never load the schema engine or PGlite. Most code needs only `Database.migrate()`.
export { applyMigrations, type MigrateResult } from "./migrate";
export {
  type MigrationAdapterFactory,
  pgliteMigrationFactory,
  postgresMigrationFactory,
} from "./migration-adapters";
export { pendingSchemaSql, readMigrationList } from "./schema-engine";
