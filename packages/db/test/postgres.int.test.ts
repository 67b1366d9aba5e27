import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openDatabase } from "../src";
import { scratchDatabases } from "../src/testing";
import { describeDatabaseContract } from "./database-contract";

// Real PostgreSQL at DATABASE_URL (infra/postgres.sh start), in scratch databases of this suite.
const scratch = scratchDatabases();
const createScratchDatabase = scratch.create;
afterAll(scratch.dropAll);

describeDatabaseContract("PostgreSQL", async () => {
  const db = await openDatabase({ url: await createScratchDatabase() });
  expect(db.kind).toBe("postgres");
  return db;
});

describe("PostgreSQL migrations from several processes", () => {
  let url: string;
  beforeAll(async () => {
    url = await createScratchDatabase();
  });

  test("two services migrating the same database at once apply each migration once", async () => {
    const [a, b] = await Promise.all([openDatabase({ url }), openDatabase({ url })]);
    try {
      const [ra, rb] = await Promise.all([a.migrate(), b.migrate()]);
      const applied = [...ra.applied, ...rb.applied];
      expect(applied.length).toBeGreaterThan(0);
      expect(new Set(applied).size).toBe(applied.length); // none applied twice
      const rows = await a.prisma.$queryRaw<{ n: bigint }[]>`
        SELECT count(*) AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL`;
      expect(Number(rows[0]?.n)).toBe(applied.length);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
