import { randomBytes } from "node:crypto";
import pg from "pg";

/**
 * Scratch databases for integration tests on the real PostgreSQL at DATABASE_URL
 * (infra/postgres.sh start): each test suite works in databases of its own, so reruns and other
 * suites never see its rows. Import from "@fleetstream/db/testing".
 */
export function scratchDatabases(adminUrl = process.env.DATABASE_URL) {
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

  return {
    /** A new empty database on the same server; returns its URL. */
    async create(): Promise<string> {
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
    },
    /** Drops every database this instance created. */
    async dropAll(): Promise<void> {
      if (created.length === 0) return;
      await admin(async (client) => {
        for (const name of created.splice(0)) {
          await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        }
      });
    },
  };
}
