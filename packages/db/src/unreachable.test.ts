import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { openDatabase } from "./database";
import { isDatabaseUnreachable } from "./unreachable";

/** A port nothing listens on: connections are refused, as with PostgreSQL stopped. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("isDatabaseUnreachable", () => {
  it("recognizes a stopped server through pg, Prisma and its driver adapter", async () => {
    const db = await openDatabase({ url: `postgresql://x@127.0.0.1:${await closedPort()}/x` });
    try {
      const failures = await Promise.all(
        [
          () => db.sql.query("SELECT 1"),
          () => db.sql.transaction((tx) => tx.query("SELECT 1")),
          () => db.prisma.truck.findMany({ take: 1 }), // P1001
          () => db.prisma.$queryRawUnsafe("SELECT 1"), // P2010 around DatabaseNotReachable
        ].map((call) =>
          call().then(
            () => undefined,
            (error: unknown) => error,
          ),
        ),
      );
      for (const error of failures) expect(isDatabaseUnreachable(error)).toBe(true);
    } finally {
      await db.close();
    }
  });

  it("leaves errors of the statement itself alone", () => {
    expect(isDatabaseUnreachable(Object.assign(new Error("syntax error"), { code: "42601" }))).toBe(
      false,
    );
    expect(isDatabaseUnreachable(new Error("unique violation", { cause: { code: "P2002" } }))).toBe(
      false,
    );
    expect(isDatabaseUnreachable(new Error("x", { cause: { code: "57P01" } }))).toBe(true);
    expect(isDatabaseUnreachable(new Error("Connection terminated unexpectedly"))).toBe(true);
  });
});
