import path from "node:path";
import { fileURLToPath } from "node:url";

/** packages/db, found from this file so it does not depend on the working directory. */
export const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const REPO_ROOT = path.resolve(PACKAGE_DIR, "../..");
export const SCHEMA_PATH = path.join(PACKAGE_DIR, "prisma", "schema.prisma");
export const MIGRATIONS_DIR = path.join(PACKAGE_DIR, "prisma", "migrations");
/** Where the embedded database lives when no DATABASE_URL is given (git-ignored). */
export const DEFAULT_PGLITE_DIR = path.join(REPO_ROOT, ".data", "pglite");
