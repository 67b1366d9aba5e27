export {
  type Database,
  type DatabaseKind,
  type OpenDatabaseOptions,
  openDatabase,
  redactUrl,
} from "./database";
export {
  dayOf,
  dropFixPartitionsBefore,
  ensureFixPartitions,
  fixPartitionDays,
  fixPartitionName,
} from "./fix-partitions";
export {
  type PositionFix,
  Prisma,
  type PrismaClient,
  type Truck,
} from "./generated/prisma/client";
export type { MigrateResult } from "./migrate";
export { DEFAULT_PGLITE_DIR, MIGRATIONS_DIR, SCHEMA_PATH } from "./paths";
export {
  assertionKind,
  type Sql,
  SqlLiteral,
  type SqlTx,
  sqlArray,
  sqlJsonArray,
  sqlTextArray,
} from "./sql";
export { databaseMigrations, isDatabaseUnreachable } from "./unreachable";
