/**
 * Applies pending migrations to DATABASE_URL (or to the embedded PGlite database when it is unset),
 * like `prisma migrate deploy`.   npm run db:migrate -w @fleetstream/db
 */
import { openDatabase } from "../src/database";

const db = await openDatabase({ url: process.env.DATABASE_URL });
try {
  const started = performance.now();
  const { applied } = await db.migrate();
  const ms = Math.round(performance.now() - started);
  console.log(
    applied.length === 0
      ? `${db.kind} ${db.location}: up to date (${ms} ms)`
      : `${db.kind} ${db.location}: applied ${applied.join(", ")} (${ms} ms)`,
  );
} finally {
  await db.close();
}
