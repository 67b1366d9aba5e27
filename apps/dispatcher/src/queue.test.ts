import { type Database, openDatabase } from "@fleetstream/db";
import { newDelivery } from "@fleetstream/webhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AttemptResult,
  type CompletionPolicy,
  claimDeliveries,
  completeDeliveries,
} from "./queue";

// The queue's SQL on PGlite (the embedded database; PostgreSQL runs the same statements in the
// integration tests): claims respect per-endpoint shares and leases; results move deliveries
// through the retry schedule and endpoints towards being disabled.

const DAY = 86_400_000;
const policy: CompletionPolicy = {
  schedule: [1_000, 2_000],
  disableAfterMs: 5 * DAY,
  random: () => 0,
};

describe("delivery queue", () => {
  let db: Database;
  let serial = 0;
  const created: string[] = [];

  async function endpointWith(deliveries: number, now: Date) {
    serial += 1;
    const id = `00000000-0000-4000-8000-${String(serial).padStart(12, "0")}`;
    await db.prisma.webhookEndpoint.create({
      data: {
        id,
        url: "https://hooks.example.com",
        secret: "whsec_x",
        createdAt: now,
        updatedAt: now,
      },
    });
    const rows = Array.from({ length: deliveries }, (_, i) =>
      newDelivery({ endpointId: id, eventId: `e${i}`, type: "geofence.enter", body: "{}", now }),
    );
    await db.prisma.webhookDelivery.createMany({ data: rows });
    created.push(id);
    return id;
  }

  const result = (
    delivery: Awaited<ReturnType<typeof claimDeliveries>>[number],
    at: Date,
    fields: Partial<AttemptResult>,
  ): AttemptResult => ({
    delivery,
    attemptedAt: at,
    latencyMs: 5,
    statusCode: 500,
    succeeded: false,
    gone: false,
    responseBody: null,
    error: null,
    ...fields,
  });

  const claimAll = (now: Date, perEndpoint = 10, limits = new Map<string, number>()) =>
    claimDeliveries(db.prisma, { total: 100, perEndpoint, limits }, now, 30_000);
  /** Claims of one endpoint only (the others get a share of 0). */
  const claimOf = (id: string, now: Date, perEndpoint = 10) =>
    claimAll(now, perEndpoint, new Map(created.filter((other) => other !== id).map((o) => [o, 0])));

  beforeAll(async () => {
    db = await openDatabase({ url: "pglite://memory" });
    await db.migrate();
  });

  afterAll(async () => {
    await db?.close();
  });

  it("claims at most each endpoint's share, and nothing another claim holds", async () => {
    const now = new Date("2026-11-01T00:00:00Z");
    const a = await endpointWith(5, now);
    const b = await endpointWith(5, now);
    const first = await claimAll(now, 2, new Map([[b, 1]]));
    const count = (id: string, list: typeof first) =>
      list.filter((d) => d.endpointId === id).length;
    expect([count(a, first), count(b, first)]).toEqual([2, 1]);
    const second = await claimAll(now);
    expect([count(a, second), count(b, second)]).toEqual([3, 4]);
    expect(await claimAll(now)).toHaveLength(0);
    // Leases run out: a dead dispatcher's claims come back.
    expect(await claimAll(new Date(now.getTime() + 31_000))).toHaveLength(10);
  });

  it("retries on the schedule, then fails; a success clears the failing streak", async () => {
    const t0 = new Date("2026-11-02T00:00:00Z");
    const id = await endpointWith(2, t0);
    const [d1, d2] = await claimOf(id, t0);
    if (!d1 || !d2) throw new Error("claim");
    await completeDeliveries(
      db.prisma,
      [result(d1, t0, {}), result(d2, t0, { error: "ECONNREFUSED" })],
      policy,
      t0,
    );
    const after = await db.prisma.webhookDelivery.findMany({ where: { endpointId: id } });
    expect(
      after.map((d) => [d.status, d.retryStep, d.nextAttemptAt.getTime() - t0.getTime()]),
    ).toEqual([
      ["pending", 1, 1_000],
      ["pending", 1, 1_000],
    ]);
    let endpoint = await db.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id } });
    expect(endpoint.failingSince).toEqual(t0);
    expect(endpoint.lastError).toBe("ECONNREFUSED");

    const t1 = new Date(t0.getTime() + 1_000);
    const afterSuccess = new Date(t1.getTime() + 5);
    const [r1, r2] = await claimOf(id, t1);
    if (!r1 || !r2) throw new Error("claim");
    await completeDeliveries(
      db.prisma,
      [result(r1, t1, { statusCode: 200, succeeded: true }), result(r2, afterSuccess, {})],
      policy,
      t1,
    );
    const t2 = new Date(afterSuccess.getTime() + 2_000);
    const [last] = await claimOf(id, t2);
    if (!last) throw new Error("claim");
    await completeDeliveries(db.prisma, [result(last, t2, {})], policy, t2);
    const final = await db.prisma.webhookDelivery.findMany({
      where: { endpointId: id },
      orderBy: { status: "asc" },
    });
    expect(final.map((d) => [d.status, d.attempts])).toEqual([
      ["failed", 3],
      ["succeeded", 2],
    ]);
    endpoint = await db.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id } });
    // Failing since the failure after the last success, not since the first one.
    expect(endpoint.failingSince).toEqual(afterSuccess);
    expect(endpoint.enabled).toBe(true);
    expect(await db.prisma.webhookAttempt.count({ where: { endpointId: id } })).toBe(5);
  });

  it("disables an endpoint failing for longer than allowed, and fails what it had pending", async () => {
    const t0 = new Date("2026-11-03T00:00:00Z");
    const id = await endpointWith(3, t0);
    const [first] = await claimOf(id, t0, 1);
    if (!first) throw new Error("claim");
    await completeDeliveries(db.prisma, [result(first, t0, {})], policy, t0);
    const later = new Date(t0.getTime() + 5 * DAY - 1);
    const [second] = await claimOf(id, later, 1);
    if (!second) throw new Error("claim");
    let summary = await completeDeliveries(db.prisma, [result(second, later, {})], policy, later);
    expect(summary.disabled).toEqual([]);
    const fiveDays = new Date(t0.getTime() + 5 * DAY);
    const [third] = await claimOf(id, fiveDays, 1);
    if (!third) throw new Error("claim");
    summary = await completeDeliveries(db.prisma, [result(third, fiveDays, {})], policy, fiveDays);
    expect(summary.disabled).toEqual([{ id, reason: "failing" }]);
    const endpoint = await db.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id } });
    expect(endpoint).toMatchObject({
      enabled: false,
      disabledReason: "failing",
      disabledAt: fiveDays,
    });
    const statuses = await db.prisma.webhookDelivery.findMany({ where: { endpointId: id } });
    expect(statuses.every((d) => d.status === "failed")).toBe(true);
  });
});
