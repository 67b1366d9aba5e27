import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openDatabase } from "../src";
import { describeDatabaseContract } from "./database-contract";

// Real PostgreSQL at DATABASE_URL (infra/postgres.sh start). Each run works in databases of its
// own, created here and dropped afterwards, so reruns and other suites never see its rows.
const adminUrl = process.env.DATABASE_URL;
const created: string[] = [];

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A new empty database on the same server; returns its URL. */
async function createScratchDatabase(): Promise<string> {
  if (!adminUrl?.startsWith("postgres")) {
    throw new Error(
      "DATABASE_URL must point at PostgreSQL (start it with infra/postgres.sh start)",
    );
  }
  const name = `fleetstream_test_${randomBytes(6).toString("hex")}`;
  await admin((client) => client.query(`CREATE DATABASE "${name}"`));
  created.push(name);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

afterAll(async () => {
  if (created.length === 0) return;
  await admin(async (client) => {
    for (const name of created)
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });
});

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
