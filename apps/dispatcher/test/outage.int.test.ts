import { randomBytes } from "node:crypto";
import { WebhookPayload } from "@fleetstream/contracts";
import { deliveryId } from "@fleetstream/webhooks";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type HookServer, startHookServer } from "../src/testing/hook-server";
import {
  type Harness,
  publishAlerts,
  registerEndpoint,
  seededAlerts,
  startHarness,
  storeFences,
} from "./support";

// The outage drill, with a compressed retry schedule instead of wall-clock days: the receiver
// answers 500 until every delivery has failed twice, then is gone (connections refused) until
// every delivery has failed four times, then comes back. Every alert must be delivered, each
// with the same webhook-id on every attempt, and every attempt must be in the delivery log.

const N = 40;
const run = randomBytes(3).toString("hex");
const FENCE = { id: `outage-${run}`, name: "Depot", tags: ["depot"] };
const SCHEDULE = "200ms,300ms,400ms,500ms,500ms,500ms,1s,1s,1s,1s";

describe("outage: 500s, then refused connections, then recovery", () => {
  let harness: Harness;
  let server: HookServer;
  let endpointId: string;
  let secret: string;
  const alerts = seededAlerts({
    seed: 7,
    count: N,
    trucks: [`wo-${run}-1`, `wo-${run}-2`, `wo-${run}-3`],
    fences: [FENCE],
  });

  /** Attempts per delivery so far, from the delivery log. */
  async function attemptsPerDelivery(): Promise<number[]> {
    const rows = await harness.db.prisma.webhookDelivery.findMany({
      where: { endpointId },
      select: { attempts: true },
    });
    return rows.map((row) => row.attempts);
  }

  beforeAll(async () => {
    harness = await startHarness({ WEBHOOK_RETRY_SCHEDULE: SCHEDULE, WEBHOOK_TIMEOUT_MS: "2000" });
    await storeFences(harness.db, [FENCE]);
    server = await startHookServer({ respond: () => ({ status: 500, body: "database is down" }) });
    ({ id: endpointId, secret } = await registerEndpoint(harness.store, { url: server.url }));
    server.secret = secret;
  });

  afterAll(async () => {
    await harness?.stop();
    await server?.stop();
  });

  it("delivers 100% once the receiver recovers, same webhook-id on every attempt", async () => {
    await publishAlerts(harness.eventLog, alerts);

    // Phase 1: 500 until every delivery has been refused twice.
    await vi.waitFor(
      async () => {
        const attempts = await attemptsPerDelivery();
        expect(attempts).toHaveLength(N);
        expect(Math.min(...attempts)).toBeGreaterThanOrEqual(2);
      },
      { timeout: 60_000, interval: 100 },
    );
    // Phase 2: the receiver is gone; connections are refused on its port.
    const { port } = server;
    const refused = server.requests.length;
    await server.stop();
    await vi.waitFor(
      async () => expect(Math.min(...(await attemptsPerDelivery()))).toBeGreaterThanOrEqual(4),
      { timeout: 60_000, interval: 100 },
    );
    // Phase 3: back on the same port, answering 204.
    const recovered = await startHookServer({ port, secret });
    try {
      await vi.waitFor(
        async () => {
          const delivered = await harness.db.prisma.webhookDelivery.count({
            where: { endpointId, status: "succeeded" },
          });
          expect(delivered).toBe(N);
        },
        { timeout: 60_000, interval: 200 },
      );

      // Same webhook-id on every request of an alert, 500s and the final one alike.
      const requests = [...server.requests, ...recovered.requests];
      const idsByAlert = new Map<string, Set<string>>();
      for (const request of requests) {
        expect(request.verified).toBe(true);
        const payload = WebhookPayload.parse(JSON.parse(request.body));
        if (payload.type === "webhook.test") throw new Error("unexpected test event");
        const seen = idsByAlert.get(payload.data.alert.id) ?? new Set();
        seen.add(request.id);
        idsByAlert.set(payload.data.alert.id, seen);
      }
      expect(idsByAlert.size).toBe(N);
      for (const alert of alerts) {
        expect([...(idsByAlert.get(alert.id) ?? [])]).toEqual([deliveryId(endpointId, alert.id)]);
      }
      expect(new Set(recovered.requests.map((r) => r.id)).size).toBe(N);

      // The log holds each attempt: 500s, refused connections, then the success.
      const log = await harness.db.prisma.webhookAttempt.findMany({
        where: { endpointId },
        orderBy: [{ attemptedAt: "asc" }, { id: "asc" }],
      });
      const byDelivery = new Map<string, typeof log>();
      for (const attempt of log) {
        byDelivery.set(attempt.deliveryId, [
          ...(byDelivery.get(attempt.deliveryId) ?? []),
          attempt,
        ]);
      }
      expect(byDelivery.size).toBe(N);
      for (const attempts of byDelivery.values()) {
        expect(attempts.length).toBeGreaterThanOrEqual(5);
        expect(attempts.slice(0, 2).map((a) => a.statusCode)).toEqual([500, 500]);
        expect(attempts.slice(0, 2).map((a) => a.responseBody)).toEqual([
          "database is down",
          "database is down",
        ]);
        expect(attempts.at(-1)).toMatchObject({ statusCode: 204, succeeded: true });
        expect(attempts.slice(0, -1).every((a) => !a.succeeded)).toBe(true);
      }
      const refusedAttempts = log.filter((a) => a.error?.includes("ECONNREFUSED")).length;
      expect(refusedAttempts).toBeGreaterThanOrEqual(N);
      const counts = {
        alerts: N,
        delivered: new Set(recovered.requests.map((r) => r.id)).size,
        attempts: log.length,
        http500: log.filter((a) => a.statusCode === 500).length,
        refused: refusedAttempts,
        succeeded: log.filter((a) => a.succeeded).length,
        requestsDuring500s: refused,
      };
      // The drill's numbers, for the record (README and the closing note).
      console.log(`outage drill: ${JSON.stringify(counts)}`);
      expect(counts.succeeded).toBe(N);
    } finally {
      await recovered.stop();
    }
  });
});
