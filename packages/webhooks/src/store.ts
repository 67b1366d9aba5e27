import { randomUUID } from "node:crypto";
import {
  DeliveryListQuery,
  describeIssues,
  RedeliverFailedInput,
  type WebhookDelivery,
  type WebhookDeliveryList,
  WebhookEndpoint,
  WebhookEndpointInput,
  WebhookEndpointPatch,
  type WebhookFilters,
} from "@fleetstream/contracts";
import type { Prisma, PrismaClient } from "@fleetstream/db";
import { z } from "zod";
import { type DeliveryRow, deliveryView, newDelivery } from "./deliveries";
import { testPayload } from "./payload";
import { SECRET_ROTATION_OVERLAP_MS } from "./schedule";
import { generateSecret } from "./signing";
import { type AllowList, checkEndpointUrl, type Resolver } from "./ssrf";

/** What went wrong, by kind; the HTTP layer maps each to a status in one table. */
export type WebhookErrorCode = "invalid" | "not_found" | "conflict";

export type WebhookResult<T> =
  | { ok: true; value: T }
  | { ok: false; code: WebhookErrorCode; message: string; problems: string[] };

const fail = (code: WebhookErrorCode, message: string, problems: string[] = []) =>
  ({ ok: false, code, message, problems }) as const;

const invalid = (what: string, problems: string[]) =>
  fail("invalid", `invalid ${what}: ${problems[0] ?? "unknown problem"}`, problems);

const notFound = (kind: string, id: string) =>
  fail("not_found", `${kind} ${JSON.stringify(id)} not found`);

function problemsOf(error: z.ZodError): string[] {
  return error.issues.map((issue) => describeIssues(new z.ZodError([issue])));
}

export type EndpointRow = Prisma.WebhookEndpointGetPayload<object>;

/** The filters and headers of an endpoint row, typed. */
export function endpointSettings(row: EndpointRow): {
  filters: WebhookFilters;
  headers: Record<string, string>;
} {
  return {
    filters: {
      alertKinds: row.alertKinds as WebhookFilters["alertKinds"],
      geofenceIds: row.geofenceIds,
      geofenceTags: row.geofenceTags,
      truckIds: row.truckIds,
      truckIdPrefix: row.truckIdPrefix,
    },
    headers: z.record(z.string(), z.string()).catch({}).parse(row.headers),
  };
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

interface EndpointCounts {
  attempts: number;
  succeeded: number;
  pending: number;
}

function endpointView(row: EndpointRow, counts: EndpointCounts): WebhookEndpoint {
  const { filters, headers } = endpointSettings(row);
  return WebhookEndpoint.parse({
    id: row.id,
    url: row.url,
    description: row.description,
    enabled: row.enabled,
    disabledReason: row.disabledReason,
    disabledAt: iso(row.disabledAt),
    filters,
    headers,
    rateLimitPerSecond: row.rateLimitPerSecond,
    previousSecretExpiresAt: iso(row.previousSecretExpiresAt),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    stats: {
      attempts24h: counts.attempts,
      succeeded24h: counts.succeeded,
      successRate24h: counts.attempts > 0 ? counts.succeeded / counts.attempts : null,
      pending: counts.pending,
      lastSuccessAt: iso(row.lastSuccessAt),
      lastFailureAt: iso(row.lastFailureAt),
      lastError: row.lastError,
      failingSince: iso(row.failingSince),
    },
  });
}

const DAY_MS = 86_400_000;

/** Cursor of the delivery log: created-at and id of the last row shown. */
const encodeCursor = (row: { createdAt: Date; id: string }) =>
  `${row.createdAt.getTime()}_${row.id}`;
function decodeCursor(cursor: string): { createdAt: Date; id: string } | undefined {
  const match = /^(\d{1,15})_(msg_[0-9a-f]{32})$/.exec(cursor);
  return match ? { createdAt: new Date(Number(match[1])), id: match[2] as string } : undefined;
}

export interface WebhookStoreDeps {
  prisma: PrismaClient;
  /** WEBHOOK_ALLOWED_TARGETS, parsed. */
  allow: AllowList;
  resolve?: Resolver;
  now?: () => number;
}

/**
 * Webhook endpoints and their delivery log, for the REST API. Every input is parsed with the
 * contract's zod schema (400 naming the field), URLs pass the SSRF guard at registration, and
 * test events and redeliveries are rows the dispatcher picks up (the table is its queue).
 */
export function createWebhookStore(deps: WebhookStoreDeps) {
  const { prisma, allow, resolve, now = Date.now } = deps;
  const isId = (id: string) => z.uuid().safeParse(id).success;

  async function counts(ids: string[]): Promise<Map<string, EndpointCounts>> {
    const since = new Date(now() - DAY_MS);
    const [attempts, pending] = await Promise.all([
      prisma.webhookAttempt.groupBy({
        by: ["endpointId", "succeeded"],
        where: { endpointId: { in: ids }, attemptedAt: { gt: since } },
        _count: { _all: true },
      }),
      prisma.webhookDelivery.groupBy({
        by: ["endpointId"],
        where: { endpointId: { in: ids }, status: "pending" },
        _count: { _all: true },
      }),
    ]);
    const result = new Map(ids.map((id) => [id, { attempts: 0, succeeded: 0, pending: 0 }]));
    for (const row of attempts) {
      const entry = result.get(row.endpointId);
      if (!entry) continue;
      entry.attempts += row._count._all;
      if (row.succeeded) entry.succeeded += row._count._all;
    }
    for (const row of pending) {
      const entry = result.get(row.endpointId);
      if (entry) entry.pending = row._count._all;
    }
    return result;
  }

  async function view(row: EndpointRow): Promise<WebhookEndpoint> {
    const all = await counts([row.id]);
    return endpointView(row, all.get(row.id) ?? { attempts: 0, succeeded: 0, pending: 0 });
  }

  async function checkUrl(url: string): Promise<string | undefined> {
    const checked = await checkEndpointUrl(url, { allow, ...(resolve ? { resolve } : {}) });
    return checked.ok ? undefined : checked.problem;
  }

  const findEndpoint = (id: string) =>
    isId(id) ? prisma.webhookEndpoint.findUnique({ where: { id } }) : Promise.resolve(null);

  async function deliveryRow(id: string): Promise<DeliveryRow | null> {
    return prisma.webhookDelivery.findUnique({ where: { id }, include: { attemptLog: true } });
  }

  const disabled = (row: EndpointRow) =>
    fail(
      "conflict",
      `endpoint ${row.id} is disabled (${row.disabledReason ?? "manual"}); enable it first`,
    );

  return {
    async list(): Promise<WebhookEndpoint[]> {
      const rows = await prisma.webhookEndpoint.findMany({
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      });
      const all = await counts(rows.map((row) => row.id));
      return rows.map((row) =>
        endpointView(row, all.get(row.id) ?? { attempts: 0, succeeded: 0, pending: 0 }),
      );
    },

    async get(id: string): Promise<WebhookResult<WebhookEndpoint>> {
      const row = await findEndpoint(id);
      return row ? { ok: true, value: await view(row) } : notFound("endpoint", id);
    },

    async create(
      input: unknown,
    ): Promise<WebhookResult<{ endpoint: WebhookEndpoint; secret: string }>> {
      const parsed = WebhookEndpointInput.safeParse(input);
      if (!parsed.success) return invalid("endpoint", problemsOf(parsed.error));
      const settings = parsed.data;
      const urlProblem = await checkUrl(settings.url);
      if (urlProblem) return invalid("endpoint", [urlProblem]);
      const at = new Date(now());
      const secret = generateSecret();
      const row = await prisma.webhookEndpoint.create({
        data: {
          id: randomUUID(),
          url: settings.url,
          description: settings.description,
          enabled: settings.enabled,
          disabledReason: settings.enabled ? null : "manual",
          disabledAt: settings.enabled ? null : at,
          ...settings.filters,
          headers: settings.headers,
          rateLimitPerSecond: settings.rateLimitPerSecond,
          secret,
          createdAt: at,
          updatedAt: at,
        },
      });
      return { ok: true, value: { endpoint: await view(row), secret } };
    },

    async update(id: string, input: unknown): Promise<WebhookResult<WebhookEndpoint>> {
      const before = await findEndpoint(id);
      if (!before) return notFound("endpoint", id);
      const parsed = WebhookEndpointPatch.safeParse(input);
      if (!parsed.success) return invalid("endpoint", problemsOf(parsed.error));
      const patch = parsed.data;
      if (patch.url !== undefined && patch.url !== before.url) {
        const urlProblem = await checkUrl(patch.url);
        if (urlProblem) return invalid("endpoint", [urlProblem]);
      }
      const at = new Date(now());
      const enabling = patch.enabled === true && !before.enabled;
      const disabling = patch.enabled === false && before.enabled;
      const row = await prisma.webhookEndpoint.update({
        where: { id },
        data: {
          ...(patch.url !== undefined ? { url: patch.url } : {}),
          ...(patch.description !== undefined ? { description: patch.description } : {}),
          ...(patch.filters !== undefined ? patch.filters : {}),
          ...(patch.headers !== undefined ? { headers: patch.headers } : {}),
          ...(patch.rateLimitPerSecond !== undefined
            ? { rateLimitPerSecond: patch.rateLimitPerSecond }
            : {}),
          ...(enabling
            ? { enabled: true, disabledReason: null, disabledAt: null, failingSince: null }
            : {}),
          ...(disabling ? { enabled: false, disabledReason: "manual", disabledAt: at } : {}),
          updatedAt: at,
        },
      });
      return { ok: true, value: await view(row) };
    },

    async remove(id: string): Promise<WebhookResult<null>> {
      if (!(await findEndpoint(id))) return notFound("endpoint", id);
      await prisma.webhookEndpoint.deleteMany({ where: { id } });
      return { ok: true, value: null };
    },

    async rotateSecret(
      id: string,
    ): Promise<WebhookResult<{ secret: string; previousSecretExpiresAt: string }>> {
      const before = await findEndpoint(id);
      if (!before) return notFound("endpoint", id);
      const secret = generateSecret();
      const expires = new Date(now() + SECRET_ROTATION_OVERLAP_MS);
      await prisma.webhookEndpoint.update({
        where: { id },
        data: {
          secret,
          previousSecret: before.secret,
          previousSecretExpiresAt: expires,
          updatedAt: new Date(now()),
        },
      });
      return { ok: true, value: { secret, previousSecretExpiresAt: expires.toISOString() } };
    },

    async sendTest(id: string): Promise<WebhookResult<WebhookDelivery>> {
      const endpoint = await findEndpoint(id);
      if (!endpoint) return notFound("endpoint", id);
      if (!endpoint.enabled) return disabled(endpoint);
      const at = now();
      const { type, body } = testPayload(id, at);
      const data = newDelivery({
        endpointId: id,
        eventId: `test_${randomUUID()}`,
        type,
        body,
        now: new Date(at),
      });
      await prisma.webhookDelivery.create({ data });
      const row = await deliveryRow(data.id);
      if (!row) return notFound("delivery", data.id);
      return { ok: true, value: deliveryView(row) };
    },

    async listDeliveries(
      id: string,
      query: Record<string, string>,
    ): Promise<WebhookResult<WebhookDeliveryList>> {
      if (!(await findEndpoint(id))) return notFound("endpoint", id);
      const parsed = DeliveryListQuery.safeParse(query);
      if (!parsed.success) return invalid("query", problemsOf(parsed.error));
      const { status, cursor, limit } = parsed.data;
      const after = cursor === undefined ? undefined : decodeCursor(cursor);
      if (cursor !== undefined && !after) {
        return invalid("query", ["cursor: not a cursor this API gave out"]);
      }
      const rows = await prisma.webhookDelivery.findMany({
        where: {
          endpointId: id,
          ...(status ? { status } : {}),
          ...(after
            ? {
                OR: [
                  { createdAt: { lt: after.createdAt } },
                  { createdAt: after.createdAt, id: { lt: after.id } },
                ],
              }
            : {}),
        },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        take: limit + 1,
        include: { attemptLog: true },
      });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        ok: true,
        value: {
          deliveries: page.map(deliveryView),
          nextCursor: rows.length > limit && last ? encodeCursor(last) : null,
        },
      };
    },

    async getDelivery(id: string): Promise<WebhookResult<WebhookDelivery>> {
      const row = await deliveryRow(id);
      return row ? { ok: true, value: deliveryView(row) } : notFound("delivery", id);
    },

    async redeliver(id: string): Promise<WebhookResult<WebhookDelivery>> {
      const row = await deliveryRow(id);
      if (!row) return notFound("delivery", id);
      const endpoint = await findEndpoint(row.endpointId);
      if (!endpoint) return notFound("delivery", id);
      if (!endpoint.enabled) return disabled(endpoint);
      const at = new Date(now());
      // Not while a dispatcher holds it: its result would overwrite this request.
      const { count } = await prisma.webhookDelivery.updateMany({
        where: { id, OR: [{ lockedUntil: null }, { lockedUntil: { lt: at } }] },
        data: { status: "pending", nextAttemptAt: at, retryStep: 0, finishedAt: null },
      });
      if (count === 0) return fail("conflict", `delivery ${id} is being sent right now`);
      const updated = await deliveryRow(id);
      return updated ? { ok: true, value: deliveryView(updated) } : notFound("delivery", id);
    },

    async redeliverFailed(
      id: string,
      input: unknown,
    ): Promise<WebhookResult<{ redelivered: number }>> {
      const endpoint = await findEndpoint(id);
      if (!endpoint) return notFound("endpoint", id);
      const parsed = RedeliverFailedInput.safeParse(input);
      if (!parsed.success) return invalid("request", problemsOf(parsed.error));
      if (!endpoint.enabled) return disabled(endpoint);
      const at = new Date(now());
      const { count } = await prisma.webhookDelivery.updateMany({
        where: {
          endpointId: id,
          status: "failed",
          createdAt: { gte: new Date(parsed.data.since) },
        },
        data: { status: "pending", nextAttemptAt: at, retryStep: 0, finishedAt: null },
      });
      return { ok: true, value: { redelivered: count } };
    },
  };
}

export type WebhookStore = ReturnType<typeof createWebhookStore>;
