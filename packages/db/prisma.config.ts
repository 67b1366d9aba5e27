// Configuration for the Prisma CLI (Prisma 7 reads this instead of `url` in schema.prisma).
// This project does not depend on the CLI's native schema engine (it cannot be downloaded here):
// `db:generate` only needs the schema, and migrations are created and applied with the WASM schema
// engine (scripts/new-migration.ts, src/migrate.ts). Where a native engine is available,
// `DATABASE_URL=postgresql://... npx prisma migrate status` works against the same migrations.
import { defineConfig } from "prisma/config";

const url = process.env.DATABASE_URL;

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  ...(url?.startsWith("postgres") ? { datasource: { url } } : {}),
});
