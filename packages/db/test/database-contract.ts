import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Database, MigrateResult } from "../src";
import {
  assertionKind,
  dropFixPartitionsBefore,
  ensureFixPartitions,
  fixPartitionDays,
  fixPartitionName,
  Prisma,
  sqlArray,
  sqlTextArray,
} from "../src";
import { MIGRATIONS_DIR } from "../src/paths";

/**
 * Behaviour every database behind `openDatabase` must show, run against in-memory PGlite
 * (src/db.test.ts) and real PostgreSQL (test/postgres.int.test.ts). `open` must return a
 * database nobody has migrated yet.
 */
export function describeDatabaseContract(name: string, open: () => Promise<Database>): void {
  describe(name, () => {
    let db: Database;
    let firstMigrate: MigrateResult;

    beforeAll(async () => {
      db = await open();
      firstMigrate = await db.migrate();
      await ensureFixPartitions(db.sql, [1_764_000_000_000]);
    }, 120_000);
    afterAll(async () => {
      await db?.close();
    });

    const fix = (truckId: string, seq: number) => ({
      truckId,
      seq: BigInt(seq),
      lat: 52.37 + seq / 1000,
      lon: 4.89,
      speedKmh: 71.5,
      headingDeg: 93,
      eventTime: new Date(1_764_000_000_000 + seq * 1000 + 123),
    });
    const latest = (id: string, seq: number) => {
      const { truckId: _, ...position } = fix(id, seq);
      return { id, ...position };
    };

    test("the first migrate applies every committed migration, the second applies none", async () => {
      const committed = (await readdir(MIGRATIONS_DIR, { withFileTypes: true }))
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name)
        .sort();
      expect(committed.length).toBeGreaterThan(0);
      expect(firstMigrate.applied).toEqual(committed);
      expect(await db.migrate()).toEqual({ applied: [] });
    });

    test("_prisma_migrations records each migration like prisma migrate deploy (sha256 of migration.sql)", async () => {
      const rows = await db.prisma.$queryRaw<
        {
          migration_name: string;
          checksum: string;
          finished_at: Date | null;
          rolled_back_at: Date | null;
          applied_steps_count: number;
        }[]
      >`SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count
        FROM _prisma_migrations ORDER BY migration_name`;
      expect(rows.map((row) => row.migration_name)).toEqual(firstMigrate.applied);
      for (const row of rows) {
        const sql = await readFile(
          path.join(MIGRATIONS_DIR, row.migration_name, "migration.sql"),
          "utf8",
        );
        expect(row.checksum).toBe(createHash("sha256").update(sql).digest("hex"));
        expect(row.finished_at).toBeInstanceOf(Date);
        expect(row.rolled_back_at).toBeNull();
        expect(row.applied_steps_count).toBe(1);
      }
    });

    test("a redelivered fix (same truck, event time and seq) is stored once", async () => {
      await db.prisma.truck.create({ data: latest("T-dup", 3) });
      const first = await db.prisma.positionFix.createMany({
        data: [fix("T-dup", 1), fix("T-dup", 2), { ...fix("T-dup", 3), accuracyM: 4.5 }],
      });
      expect(first.count).toBe(3);

      const redelivery = await db.prisma.positionFix.createMany({
        data: [fix("T-dup", 2), fix("T-dup", 3), fix("T-dup", 4)],
        skipDuplicates: true,
      });
      expect(redelivery.count).toBe(1);

      const error = await db.prisma.positionFix.create({ data: fix("T-dup", 2) }).catch((e) => e);
      expect(error).toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
      expect((error as Prisma.PrismaClientKnownRequestError).code).toBe("P2002");

      const stored = await db.prisma.positionFix.findMany({
        where: { truckId: "T-dup" },
        orderBy: { seq: "asc" },
      });
      expect(stored.map((row) => row.seq)).toEqual([1n, 2n, 3n, 4n]);
      expect(stored[2]?.accuracyM).toBe(4.5);
      expect(stored[0]?.accuracyM).toBeNull();
      expect(stored[0]?.eventTime.getTime()).toBe(1_764_000_001_123); // milliseconds kept
      expect(stored[0]?.receivedAt).toBeInstanceOf(Date);
    });

    test("upserting a truck keeps one row with the latest position", async () => {
      const created = await db.prisma.truck.upsert({
        where: { id: "T-up" },
        create: latest("T-up", 1),
        update: latest("T-up", 1),
      });
      expect(created.seq).toBe(1n);
      const updated = await db.prisma.truck.upsert({
        where: { id: "T-up" },
        create: latest("T-up", 2),
        update: { ...latest("T-up", 2), lat: 10.5 },
      });
      expect(updated).toMatchObject({ id: "T-up", seq: 2n, lat: 10.5 });
      expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime());
      expect(await db.prisma.truck.count({ where: { id: "T-up" } })).toBe(1);
      expect(
        (await db.prisma.truck.findUniqueOrThrow({ where: { id: "T-up" } })).eventTime,
      ).toEqual(fix("T-up", 2).eventTime);
    });

    test("50 concurrent upserts and transactions on one client all land", async () => {
      const ids = Array.from({ length: 50 }, (_, i) => `T-c${String(i).padStart(2, "0")}`);
      await Promise.all(
        ids.map((id) =>
          db.prisma.truck.upsert({ where: { id }, create: latest(id, 1), update: latest(id, 1) }),
        ),
      );
      // Each truck's latest position and its fixes written together, 50 transactions at once.
      await Promise.all(
        ids.map((id) =>
          db.prisma.$transaction([
            db.prisma.truck.upsert({ where: { id }, create: latest(id, 2), update: latest(id, 2) }),
            db.prisma.positionFix.createMany({
              data: [fix(id, 1), fix(id, 2)],
              skipDuplicates: true,
            }),
          ]),
        ),
      );
      expect(await db.prisma.truck.count({ where: { id: { in: ids } } })).toBe(50);
      expect(await db.prisma.truck.count({ where: { id: { in: ids }, seq: 2n } })).toBe(50);
      expect(await db.prisma.positionFix.count({ where: { truckId: { in: ids } } })).toBe(100);
    });

    test("a batch stores every value as a parameter would, in one transaction; a failed check undoes it and names its kind", async () => {
      await db.sql.query(
        "CREATE TABLE batch_values (id int PRIMARY KEY, t text, b bytea, n float8, f bool, at timestamptz, a text[])",
      );
      const tricky = [
        "it's",
        "back\\slash",
        "$v$ and $v1$",
        "ends in $",
        "ends in $v",
        "$v",
        "$",
        "a$v$v1",
        "",
        '"quoted"',
      ];
      const rows = tricky.map((t, i) => ({
        id: i,
        t,
        b: Buffer.from([0, 39, 92, 36, i]),
        n: i === 0 ? null : i / 3,
        f: i % 2 === 0,
        at: new Date(1_764_000_000_000 + i),
        a: [t, null, "x,y"],
      }));
      await db.sql.batch(async (tx) => {
        for (const r of rows)
          await tx.query("INSERT INTO batch_values VALUES ($1, $2, $3, $4, $5, $6, $7::text[])", [
            r.id,
            r.t,
            r.b,
            r.n,
            r.f,
            r.at,
            sqlTextArray(r.a),
          ]);
      });
      const stored = await db.sql.query<{
        t: string;
        b: Buffer | Uint8Array;
        n: number | null;
        at: Date | string;
        a: unknown;
      }>("SELECT t, b, n, f, at, a FROM batch_values ORDER BY id");
      expect(stored.map((r) => r.t)).toEqual(tricky);
      expect(stored.map((r) => [...r.b])).toEqual(rows.map((r) => [...r.b]));
      expect(stored.map((r) => r.n)).toEqual(rows.map((r) => r.n));
      expect(stored.map((r) => r.a)).toEqual(rows.map((r) => r.a));
      expect(stored.map((r) => new Date(r.at).getTime())).toEqual(rows.map((r) => r.at.getTime()));

      const failed = await db.sql
        .batch(async (tx) => {
          await tx.query("DELETE FROM batch_values");
          await tx.query(
            "SELECT fleetstream_assert(count(*) = 1, $1, 'test-kind') FROM batch_values",
            ["expected one row"],
          );
        })
        .catch((error: unknown) => error);
      expect(assertionKind(failed)).toBe("test-kind");
      expect(String(failed)).toContain("expected one row");
      expect(assertionKind(new Error("something else"))).toBeUndefined();
      expect(await db.sql.query("SELECT 1 FROM batch_values")).toHaveLength(tricky.length);
    });

    test("a batch writes columns of tens of thousands of values exactly, odd values far into them", async () => {
      // Long columns are written in pieces (sqlArray, sqlTextArray): the odd values sit in
      // later pieces, and a text piece holds control characters and dollar-quote tags.
      const n = 20_000;
      const numbers: (number | null)[] = Array.from({ length: n }, (_, i) => i / 7);
      numbers[9_000] = Number.NaN;
      numbers[13_000] = null;
      numbers[19_999] = Number.NEGATIVE_INFINITY;
      const texts: (string | null)[] = Array.from({ length: n }, (_, i) => `T-${i}`);
      texts[12_345] = "tab\there $v$ \\n";
      texts[15_000] = null;
      texts[19_998] = 'a "quoted" $v';
      await db.sql.query("CREATE TABLE batch_columns (i int, n float8, t text)");
      await db.sql.batch(async (tx) => {
        await tx.query(
          `INSERT INTO batch_columns SELECT * FROM unnest($1::int[], $2::float8[], $3::text[])`,
          [sqlArray(numbers.map((_, i) => i)), sqlArray(numbers), sqlTextArray(texts)],
        );
      });
      const stored = await db.sql.query<{ n: number | null; t: string | null }>(
        "SELECT n, t FROM batch_columns ORDER BY i",
      );
      expect(stored.map((r) => r.n)).toEqual(numbers);
      expect(stored.map((r) => r.t)).toEqual(texts);
    });

    test("fixes live in daily partitions that are created before writing and dropped past retention", async () => {
      const day = Date.UTC(2031, 4, 17);
      const at = (ms: number) => ({ ...fix("T-part", 1), eventTime: new Date(ms) });
      // No partition for that day yet: PostgreSQL refuses the row.
      const refused = await db.prisma.positionFix.create({ data: at(day + 5_000) }).catch((e) => e);
      expect(refused).toBeInstanceOf(Error);
      await ensureFixPartitions(db.sql, [day + 5_000, day + 86_399_999, day + 86_400_000]);
      await ensureFixPartitions(db.sql, [day]); // again: nothing to do
      await db.prisma.positionFix.createMany({
        data: [at(day + 5_000), at(day + 86_399_999), at(day + 86_400_000)],
      });
      const days = await fixPartitionDays(db.sql);
      expect(days).toEqual(expect.arrayContaining([day, day + 86_400_000]));
      expect(fixPartitionName(day)).toBe("position_fixes_p20310517");
      // Retention (this test runs last: it drops every older day): the day that ended at the
      // cutoff goes, with its rows; the next day stays.
      expect(await dropFixPartitionsBefore(db.sql, day + 86_400_000)).toContain(day);
      const left = await db.prisma.positionFix.findMany({ where: { truckId: "T-part" } });
      expect(left.map((row) => row.eventTime.getTime())).toEqual([day + 86_400_000]);
    });
  });
}
