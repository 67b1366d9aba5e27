import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { afterAll, describe, expect, it, test } from "vitest";
import { describeDatabaseContract } from "../test/database-contract";
import { openDatabase, sqlArray, sqlJsonArray, sqlTextArray } from "./index";
import { applyMigrations, pgliteMigrationFactory } from "./migrations";
import { LOCKFILE_CONTENT, LOCKFILE_NAME, pendingSchemaSql } from "./schema-engine";

describeDatabaseContract("PGlite in memory", async () => {
  const db = await openDatabase({ url: "pglite://memory" });
  expect(db.kind).toBe("pglite");
  expect(db.location).toBe("memory");
  return db;
});

describe("openDatabase", () => {
  test("rejects a URL it cannot serve, naming DATABASE_URL and hiding the password", async () => {
    const error = await openDatabase({ url: "mysql://app:s3cret@db:3306/fleet" }).catch((e) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain("DATABASE_URL");
    expect((error as Error).message).toContain("postgresql://");
    expect((error as Error).message).not.toContain("s3cret");
  });

  describe("embedded PGlite on disk", () => {
    let dir: string | undefined;
    afterAll(async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    test("keeps data across reopen and refuses a second opener while open", async () => {
      dir = await mkdtemp(path.join(tmpdir(), "fleetstream-db-"));
      const dataDir = path.join(dir, "pglite");
      const first = await openDatabase({ dataDir });
      expect(first).toMatchObject({ kind: "pglite", location: dataDir });
      await first.migrate();
      await first.prisma.truck.create({
        data: {
          id: "T-disk",
          lat: 1,
          lon: 2,
          speedKmh: 3,
          headingDeg: 4,
          eventTime: new Date(1_764_000_000_000),
          seq: 7n,
        },
      });

      const second = await openDatabase({ dataDir }).catch((e) => e);
      expect(second).toBeInstanceOf(Error);
      expect((second as Error).message).toMatch(/already open in process \d+/);
      await first.close();

      const reopened = await openDatabase({ dataDir });
      try {
        expect(await reopened.migrate()).toEqual({ applied: [] });
        expect(await reopened.prisma.truck.findUnique({ where: { id: "T-disk" } })).toMatchObject({
          seq: 7n,
        });
      } finally {
        await reopened.close();
      }
    }, 120_000);
  });
});

test("prisma/migrations produce exactly schema.prisma (run db:new-migration after editing it)", async () => {
  expect(await pendingSchemaSql()).toBe("");
}, 120_000);

test("a failing migration is rolled back whole, recorded as failed, and blocks later migrates", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "fleetstream-migrations-"));
  const pglite = await PGlite.create();
  try {
    await writeFile(path.join(dir, LOCKFILE_NAME), LOCKFILE_CONTENT);
    const migrations = {
      "20260101000000_ok": "CREATE TABLE ok_table (id int);",
      // A function body with ";" inside must reach the server as one script.
      "20260101000001_broken":
        "CREATE TABLE half_done (id int);\n" +
        "CREATE FUNCTION one() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n" +
        "INSERT INTO missing_table VALUES (1);\n",
    };
    for (const [name, sql] of Object.entries(migrations)) {
      await mkdir(path.join(dir, name));
      await writeFile(path.join(dir, name, "migration.sql"), sql);
    }
    const migrate = async () => {
      const factory = pgliteMigrationFactory(pglite);
      try {
        return await applyMigrations(factory, { migrationsDir: dir });
      } finally {
        await factory.close();
      }
    };

    await expect(migrate()).rejects.toThrow(/missing_table/);
    const tables = await pglite.query<{ ok: string | null; half: string | null }>(
      "SELECT to_regclass('ok_table')::text AS ok, to_regclass('half_done')::text AS half",
    );
    expect(tables.rows[0]).toEqual({ ok: "ok_table", half: null });
    const recorded = await pglite.query<{ migration_name: string; finished: boolean }>(
      "SELECT migration_name, finished_at IS NOT NULL AS finished FROM _prisma_migrations ORDER BY 1",
    );
    expect(recorded.rows).toEqual([
      { migration_name: "20260101000000_ok", finished: true },
      { migration_name: "20260101000001_broken", finished: false },
    ]);
    await expect(migrate()).rejects.toThrow(/failed migrations/);
  } finally {
    await pglite.close();
    await rm(dir, { recursive: true, force: true });
  }
}, 120_000);

describe("array literals for bulk statements", () => {
  it("round-trip through PostgreSQL exactly, strings with quotes, backslashes, commas and braces too", async () => {
    const db = await openDatabase({ url: "pglite://memory" });
    try {
      const numbers = [0, -1.5, 1e21, 5e-324, Number.MAX_SAFE_INTEGER, 52.373096, null];
      const strings = [
        "T-1",
        'a"b',
        "c\\d",
        "e,f",
        "{g}",
        "",
        "NULL",
        null,
        "ünï 🚚",
        "tab\there\nline",
        '{"json":"\\"x\\""}',
      ];
      const [row] = await db.sql.query<{
        n: (number | null)[];
        s: (string | null)[];
        b: boolean[];
      }>("SELECT $1::float8[] AS n, $2::text[] AS s, $3::bool[] AS b", [
        sqlArray(numbers),
        sqlTextArray(strings),
        sqlArray([true, false]),
      ]);
      expect(row?.n).toEqual(numbers);
      expect(row?.s).toEqual(strings);
      expect(row?.b).toEqual([true, false]);
      // Without control characters the text goes through one JSON.stringify; NaN and the
      // infinities element by element.
      const plain = strings.filter((s) => s === null || !/[\t\n]/.test(s));
      const odd = [1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, null];
      const [again] = await db.sql.query<{ n: (number | null)[]; s: (string | null)[] }>(
        "SELECT $1::float8[] AS n, $2::text[] AS s",
        [sqlArray(odd), sqlTextArray(plain)],
      );
      expect(again?.n).toEqual(odd);
      expect(again?.s).toEqual(plain);
    } finally {
      await db.close();
    }
  });

  it("hand JSON documents to PostgreSQL as their exact text, in order, whatever they hold", async () => {
    const db = await openDatabase({ url: "pglite://memory" });
    try {
      const odd = [
        { s: 'a"b\\c', t: "$v$ and $v1$", u: "ünï 🚚\u0001\n" },
        [1.5, null, true, "x,y"],
        "plain",
        0,
      ].map((v) => JSON.stringify(v));
      // Many, so the literal spans several pieces.
      const many = Array.from({ length: 3_000 }, (_, i) =>
        JSON.stringify({ i, pad: "p".repeat(40) }),
      );
      for (const texts of [odd, many]) {
        const rows = await db.sql.query<{ i: number; s: string }>(
          `SELECT i::int AS i, s::text AS s
           FROM json_array_elements($1::json) WITH ORDINALITY AS u(s, i) ORDER BY i`,
          [sqlJsonArray(texts)],
        );
        expect(rows.map((r) => r.s)).toEqual(texts);
      }
      // In a batch (one script, the literal dollar-quoted) too.
      await db.sql.batch(async (tx) => {
        await tx.query(
          "CREATE TABLE docs AS SELECT s::text AS s FROM json_array_elements($1::json) AS u(s)",
          [sqlJsonArray(odd)],
        );
      });
      const stored = await db.sql.query<{ s: string }>("SELECT s FROM docs");
      expect(stored.map((r) => r.s).sort()).toEqual([...odd].sort());
    } finally {
      await db.close();
    }
  });
});
