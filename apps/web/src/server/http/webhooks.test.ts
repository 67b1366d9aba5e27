import { randomUUID } from "node:crypto";
import {
  ApiError,
  RedeliverFailedResult,
  WebhookDelivery,
  WebhookDeliveryList,
  WebhookEndpoint,
  WebhookEndpointCreated,
  WebhookEndpointList,
  WebhookSecretRotated,
} from "@fleetstream/contracts";
import { type Database, openDatabase } from "@fleetstream/db";
import { createWebhookStore, parseAllowList, type Resolver } from "@fleetstream/webhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webhookApi } from "./webhooks";

// The webhook REST API's handlers over the real store on PGlite; every answer is parsed with the
// contract schema the OpenAPI document publishes for it.

const resolve: Resolver = async (host) => {
  if (host === "hooks.example.com") return [{ address: "93.184.215.14", family: 4 }];
  throw Object.assign(new Error("ENOTFOUND"), { code: "ENOTFOUND" });
};

describe("webhook REST API", () => {
  let db: Database;
  let clock = Date.parse("2026-11-20T10:00:00Z");
  let api: ReturnType<typeof webhookApi>;

  const request = (method: string, path: string, body?: unknown) =>
    new Request(`http://localhost${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
  const json = async (response: Response) => (await response.json()) as unknown;

  async function create(body: unknown) {
    const response = await api.createEndpoint(request("POST", "/api/webhooks/endpoints", body));
    expect(response.status).toBe(201);
    return WebhookEndpointCreated.parse(await json(response));
  }

  beforeAll(async () => {
    db = await openDatabase({ url: "pglite://memory" });
    await db.migrate();
    const store = createWebhookStore({
      prisma: db.prisma,
      allow: parseAllowList("127.0.0.0/8"),
      resolve,
      now: () => clock,
    });
    api = webhookApi(() => store);
  });

  afterAll(async () => {
    await db?.close();
  });

  it("registers an endpoint and shows its secret only in the answer to the create", async () => {
    const response = await api.createEndpoint(
      request("POST", "/api/webhooks/endpoints", {
        url: "https://hooks.example.com/fleet",
        description: "ops",
        filters: { alertKinds: ["ENTER"], truckIdPrefix: "T-" },
        headers: { Authorization: "Bearer abc" },
        rateLimitPerSecond: 5,
      }),
    );
    expect(response.status).toBe(201);
    const created = WebhookEndpointCreated.parse(await json(response));
    expect(response.headers.get("location")).toBe(`/api/webhooks/endpoints/${created.endpoint.id}`);
    expect(created.secret).toMatch(/^whsec_/);
    expect(created.endpoint).toMatchObject({
      enabled: true,
      filters: { alertKinds: ["ENTER"], truckIdPrefix: "T-", geofenceIds: [] },
      headers: { Authorization: "Bearer abc" },
      rateLimitPerSecond: 5,
      stats: { successRate24h: null, pending: 0 },
    });
    const listed = await api.listEndpoints();
    const text = await listed.text();
    expect(text).not.toContain(created.secret);
    const list = WebhookEndpointList.parse(JSON.parse(text));
    expect(list.endpoints.map((e) => e.id)).toContain(created.endpoint.id);
  });

  it.each([
    [{}, "url"],
    [
      { url: "https://hooks.example.com", filters: { alertKinds: ["ARRIVE"] } },
      "filters.alertKinds.0",
    ],
    [{ url: "https://hooks.example.com", headers: { "webhook-id": "x" } }, "headers.webhook-id"],
    [{ url: "https://hooks.example.com", headers: { "X-A": "line\nbreak" } }, "headers.X-A"],
    [{ url: "https://hooks.example.com", rateLimitPerSecond: 0 }, "rateLimitPerSecond"],
    [{ url: "https://hooks.example.com", extra: true }, "extra"],
    [{ url: "http://hooks.example.com" }, "must use https"],
    [{ url: "https://169.254.169.254/latest" }, "link-local"],
    [{ url: "https://nowhere.example" }, "does not resolve"],
  ])("answers 400 naming the problem for %j", async (body, named) => {
    const response = await api.createEndpoint(request("POST", "/api/webhooks/endpoints", body));
    expect(response.status).toBe(400);
    const error = ApiError.parse(await json(response));
    expect(error.error).toContain(named);
  });

  it("answers 400 for a body that is not JSON, 404 for unknown ids", async () => {
    const bad = await api.createEndpoint(request("POST", "/api/webhooks/endpoints", "{nope"));
    expect(bad.status).toBe(400);
    expect(ApiError.parse(await json(bad)).error).toMatch(/not JSON/);
    for (const response of [
      await api.getEndpoint(randomUUID()),
      await api.getEndpoint("not-a-uuid"),
      await api.deleteEndpoint(randomUUID()),
      await api.sendTest(randomUUID()),
      await api.getDelivery("msg_0"),
      await api.redeliver("msg_0"),
    ]) {
      expect(response.status).toBe(404);
      ApiError.parse(await json(response));
    }
  });

  it("queues a test event, lists it, and redelivers failed ones since a time", async () => {
    const { endpoint } = await create({ url: "http://127.0.0.1:9/hooks" });
    const queued = await api.sendTest(endpoint.id);
    expect(queued.status).toBe(202);
    const delivery = WebhookDelivery.parse(await json(queued));
    expect(delivery).toMatchObject({ eventType: "webhook.test", status: "pending", attempts: 0 });

    const page = WebhookDeliveryList.parse(
      await json(
        await api.listDeliveries(
          request("GET", `/api/webhooks/endpoints/${endpoint.id}/deliveries?status=pending`),
          endpoint.id,
        ),
      ),
    );
    expect(page.deliveries.map((d) => d.id)).toEqual([delivery.id]);
    const badQuery = await api.listDeliveries(
      request("GET", `/api/webhooks/endpoints/${endpoint.id}/deliveries?status=lost`),
      endpoint.id,
    );
    expect(badQuery.status).toBe(400);
    expect(ApiError.parse(await json(badQuery)).error).toContain("status");

    // As the dispatcher leaves it after the last retry.
    await db.prisma.webhookDelivery.update({
      where: { id: delivery.id },
      data: { status: "failed", finishedAt: new Date(clock) },
    });
    const since = new Date(clock - 60_000).toISOString();
    const redo = await api.redeliverFailed(request("POST", "/x", { since }), endpoint.id);
    expect(redo.status).toBe(202);
    expect(RedeliverFailedResult.parse(await json(redo))).toEqual({ redelivered: 1 });
    const invalidSince = await api.redeliverFailed(
      request("POST", "/x", { since: "yesterday" }),
      endpoint.id,
    );
    expect(invalidSince.status).toBe(400);
    expect(ApiError.parse(await json(invalidSince)).error).toContain("since");
    const again = WebhookDelivery.parse(await json(await api.getDelivery(delivery.id)));
    expect(again.status).toBe("pending");
  });

  it("disables and enables an endpoint; a disabled one takes no test event (409)", async () => {
    const { endpoint } = await create({ url: "https://hooks.example.com/a" });
    const disabled = await api.updateEndpoint(
      request("PATCH", "/x", { enabled: false }),
      endpoint.id,
    );
    expect(WebhookEndpoint.parse(await json(disabled))).toMatchObject({
      enabled: false,
      disabledReason: "manual",
    });
    const refused = await api.sendTest(endpoint.id);
    expect(refused.status).toBe(409);
    expect(ApiError.parse(await json(refused)).error).toContain("disabled");
    const enabled = await api.updateEndpoint(
      request("PATCH", "/x", { enabled: true, description: "back" }),
      endpoint.id,
    );
    expect(WebhookEndpoint.parse(await json(enabled))).toMatchObject({
      enabled: true,
      disabledReason: null,
      description: "back",
    });
    const badUrl = await api.updateEndpoint(
      request("PATCH", "/x", { url: "https://10.0.0.1/" }),
      endpoint.id,
    );
    expect(badUrl.status).toBe(400);
  });

  it("rotates the secret: the previous one keeps signing for 24 hours", async () => {
    const { endpoint, secret } = await create({ url: "https://hooks.example.com/r" });
    const response = await api.rotateSecret(endpoint.id);
    const rotated = WebhookSecretRotated.parse(await json(response));
    expect(rotated.secret).not.toBe(secret);
    expect(Date.parse(rotated.previousSecretExpiresAt) - clock).toBe(24 * 3_600_000);
    const row = await db.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } });
    expect([row.secret, row.previousSecret]).toEqual([rotated.secret, secret]);
    clock += 1_000;
  });

  it("deletes an endpoint with its deliveries", async () => {
    const { endpoint } = await create({ url: "https://hooks.example.com/d" });
    const test = WebhookDelivery.parse(await json(await api.sendTest(endpoint.id)));
    expect((await api.deleteEndpoint(endpoint.id)).status).toBe(204);
    expect((await api.getEndpoint(endpoint.id)).status).toBe(404);
    expect((await api.getDelivery(test.id)).status).toBe(404);
  });
});
