export {
  type Database,
  type DatabaseKind,
  type OpenDatabaseOptions,
  openDatabase,
  redactUrl,
} from "./database";
export {
  type PositionFix,
  Prisma,
  type PrismaClient,
  type Truck,
} from "./generated/prisma/client";
export type { MigrateResult } from "./migrate";
export { DEFAULT_PGLITE_DIR, MIGRATIONS_DIR, SCHEMA_PATH } from "./paths";
