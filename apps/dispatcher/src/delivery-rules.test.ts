import { type Database, openDatabase } from "@fleetstream/db";
import { InMemoryEventLog } from "@fleetstream/eventlog";
import { createLogger } from "@fleetstream/service";
import {
  createWebhookStore,
  DispatcherSettings,
  LOOPBACK_TARGETS,
  parseAllowList,
  type Resolver,
  type WebhookStore,
} from "@fleetstream/webhooks";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createDispatcher } from "./dispatcher";
import { type HookServer, startHookServer } from "./testing/hook-server";

// What the dispatcher does with each kind of answer, on the embedded parts (PGlite, in-process
// log): redirects are not followed, 410 disables, custom headers are sent, the rate limit
// holds, and a name that resolves inside at connect time (DNS rebinding) is never connected to.

interface Setup {
  db: Database;
  store: WebhookStore;
  dispatcher: ReturnType<typeof createDispatcher>;
  stop(): Promise<void>;
}

async function setup(options: {
  allowed: string;
  storeResolve?: Resolver;
  connectResolve?: Resolver;
}): Promise<Setup> {
  const db = await openDatabase({ url: "pglite://memory" });
  await db.migrate();
  const eventLog = new InMemoryEventLog();
  const store = createWebhookStore({
    prisma: db.prisma,
    allow: parseAllowList(options.allowed),
    ...(options.storeResolve ? { resolve: options.storeResolve } : {}),
  });
  const dispatcher = createDispatcher({
    eventLog,
    prisma: db.prisma,
    logger: createLogger("test", "silent"),
    ...(options.connectResolve ? { resolve: options.connectResolve } : {}),
    config: {
      settings: DispatcherSettings.parse({
        WEBHOOK_ALLOWED_TARGETS: options.allowed,
        WEBHOOK_POLL_MS: "20",
        WEBHOOK_RETRY_SCHEDULE: "1h",
      }),
      partitions: 1,
    },
  });
  await dispatcher.start();
  return {
    db,
    store,
    dispatcher,
    async stop() {
      await dispatcher.stop();
      await eventLog.close();
      await db.close();
    },
  };
}

async function register(store: WebhookStore, input: Record<string, unknown>) {
  const created = await store.create(input);
  if (!created.ok) throw new Error(created.message);
  return created.value;
}

async function lastAttempt(store: WebhookStore, deliveryId: string) {
  const delivery = await store.getDelivery(deliveryId);
  if (!delivery.ok) throw new Error(delivery.message);
  const attempt = delivery.value.attemptLog.at(-1);
  if (!attempt) throw new Error("no attempt yet");
  return { delivery: delivery.value, attempt };
}

describe("delivery rules", () => {
  let env: Setup;
  const servers: HookServer[] = [];
  const server = async (...args: Parameters<typeof startHookServer>) => {
    const started = await startHookServer(...args);
    servers.push(started);
    return started;
  };

  beforeAll(async () => {
    env = await setup({ allowed: LOOPBACK_TARGETS });
  });

  afterAll(async () => {
    await env?.stop();
    await Promise.all(servers.map((s) => s.stop()));
  });

  it("does not follow a redirect: the attempt fails with 3xx and is retried later", async () => {
    const elsewhere = await server();
    const redirecting = await server({
      respond: () => ({ status: 302, headers: { location: elsewhere.url } }),
    });
    const { endpoint } = await register(env.store, { url: redirecting.url });
    const test = await env.store.sendTest(endpoint.id);
    if (!test.ok) throw new Error(test.message);
    const { delivery, attempt } = await vi.waitFor(() => lastAttempt(env.store, test.value.id), {
      timeout: 10_000,
    });
    expect(attempt).toMatchObject({ statusCode: 302, succeeded: false });
    expect(delivery.status).toBe("pending");
    expect(elsewhere.requests).toHaveLength(0);
  });

  it("disables an endpoint that answers 410 Gone and fails its delivery", async () => {
    const gone = await server({ respond: () => ({ status: 410, body: "endpoint removed" }) });
    const { endpoint } = await register(env.store, { url: gone.url });
    const test = await env.store.sendTest(endpoint.id);
    if (!test.ok) throw new Error(test.message);
    await vi.waitFor(
      async () => {
        const now = await env.store.get(endpoint.id);
        expect(now.ok && now.value).toMatchObject({ enabled: false, disabledReason: "gone" });
      },
      { timeout: 10_000 },
    );
    const { delivery, attempt } = await lastAttempt(env.store, test.value.id);
    expect(delivery.status).toBe("failed");
    expect(attempt).toMatchObject({ statusCode: 410, responseBody: "endpoint removed" });
  });

  it("sends the endpoint's custom headers and keeps the first 1 KB of the answer", async () => {
    const receiver = await server({
      respond: () => ({ status: 200, body: "x".repeat(5_000) }),
    });
    const { endpoint } = await register(env.store, {
      url: receiver.url,
      headers: { "X-Team": "dispatch", Authorization: "Bearer t0k3n" },
    });
    const test = await env.store.sendTest(endpoint.id);
    if (!test.ok) throw new Error(test.message);
    const { attempt } = await vi.waitFor(() => lastAttempt(env.store, test.value.id), {
      timeout: 10_000,
    });
    expect(receiver.requests[0]?.headers).toMatchObject({
      "x-team": "dispatch",
      authorization: "Bearer t0k3n",
      "content-type": "application/json",
    });
    expect(attempt.responseBody).toBe("x".repeat(1_024));
  });

  it("holds an endpoint to its rate limit", async () => {
    const receiver = await server();
    const { endpoint } = await register(env.store, { url: receiver.url, rateLimitPerSecond: 2 });
    for (let i = 0; i < 6; i++) await env.store.sendTest(endpoint.id);
    await vi.waitFor(() => expect(receiver.requests).toHaveLength(6), { timeout: 15_000 });
    // A full bucket sends 2 at once, then 2 per second: the last 4 need at least 2 seconds.
    const times = receiver.requests.map((r) => r.receivedAt);
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(1_900);
  });
});

describe("DNS rebinding", () => {
  let env: Setup;
  let target: HookServer;

  beforeAll(async () => {
    target = await startHookServer();
    env = await setup({
      allowed: "",
      // Public when the endpoint is registered, loopback when the dispatcher connects.
      storeResolve: async () => [{ address: "93.184.215.14", family: 4 }],
      connectResolve: async () => [{ address: "127.0.0.1", family: 4 }],
    });
  });

  afterAll(async () => {
    await env?.stop();
    await target?.stop();
  });

  it("refuses to connect when the name resolves inside at send time", async () => {
    const { endpoint } = await register(env.store, { url: `https://rebind.test:${target.port}/` });
    const test = await env.store.sendTest(endpoint.id);
    if (!test.ok) throw new Error(test.message);
    const { attempt } = await vi.waitFor(() => lastAttempt(env.store, test.value.id), {
      timeout: 10_000,
    });
    expect(attempt.statusCode).toBeNull();
    expect(attempt.error).toContain("blocked target: rebind.test resolves to 127.0.0.1");
    expect(target.connections).toBe(0);
  });
});
