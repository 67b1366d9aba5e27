import type { Prisma, PrismaClient } from "@fleetstream/db";
import { nextRetryAt } from "@fleetstream/webhooks";

/**
 * The delivery queue: `webhook_deliveries` in PostgreSQL (or PGlite), claimed with
 * `FOR UPDATE SKIP LOCKED` so any number of dispatchers share it without sending one delivery
 * twice at once. A claim is a lease (`locked_until`): a dispatcher that dies mid-send leaves
 * its rows to be claimed again when the lease runs out, so a delivery is sent at least once.
 */

export interface ClaimedDelivery {
  id: string;
  endpointId: string;
  eventType: string;
  payload: string;
  retryStep: number;
  createdAt: Date;
}

/** How many due deliveries to claim: per endpoint and in all. */
export interface ClaimRequest {
  /** Most deliveries in all (free slots of this dispatcher). */
  total: number;
  /** Most per endpoint not listed in `limits` (capped by its rate limit per second). */
  perEndpoint: number;
  /** Endpoints with a smaller share right now (attempts in flight, rate-limit tokens); 0 = none. */
  limits: ReadonlyMap<string, number>;
}

/**
 * Claims due deliveries of enabled endpoints, oldest due first per endpoint, at most each
 * endpoint's share (so one endpoint's backlog never fills the claim), skipping rows another
 * dispatcher holds, and leases them until `now + leaseMs`. Endpoints take turns in random order
 * when the total is the limit.
 */
export async function claimDeliveries(
  prisma: PrismaClient,
  request: ClaimRequest,
  now: Date,
  leaseMs: number,
): Promise<ClaimedDelivery[]> {
  if (request.total <= 0) return [];
  const ids = [...request.limits.keys()];
  const limits = [...request.limits.values()];
  const leaseUntil = new Date(now.getTime() + leaseMs);
  const rows = await prisma.$queryRaw<
    {
      id: string;
      endpoint_id: string;
      event_type: string;
      payload: string;
      retry_step: number;
      created_at: Date;
    }[]
  >`
    UPDATE webhook_deliveries d
    SET locked_until = ${leaseUntil}
    FROM (
      SELECT c.id
      FROM (
        SELECT e.id AS endpoint_id,
               COALESCE(o.lim, LEAST(${request.perEndpoint}::int,
                                     COALESCE(e.rate_limit_per_second, ${request.perEndpoint}::int))) AS lim
        FROM webhook_endpoints e
        LEFT JOIN unnest(${ids}::text[], ${limits}::int[]) AS o(endpoint_id, lim)
          ON o.endpoint_id = e.id
        WHERE e.enabled
        ORDER BY random()
      ) e
      CROSS JOIN LATERAL (
        SELECT q.id FROM webhook_deliveries q
        WHERE q.endpoint_id = e.endpoint_id
          AND q.status = 'pending'
          AND q.next_attempt_at <= ${now}
          AND (q.locked_until IS NULL OR q.locked_until < ${now})
        ORDER BY q.next_attempt_at
        LIMIT e.lim
        FOR UPDATE SKIP LOCKED
      ) c
      LIMIT ${request.total}::int
    ) picked
    WHERE d.id = picked.id
    RETURNING d.id, d.endpoint_id, d.event_type, d.payload, d.retry_step, d.created_at`;
  return rows.map((row) => ({
    id: row.id,
    endpointId: row.endpoint_id,
    eventType: row.event_type,
    payload: row.payload,
    retryStep: row.retry_step,
    createdAt: row.created_at,
  }));
}

/**
 * Inserts new deliveries (one statement, arrays as parameters: far cheaper than an ORM
 * createMany at thousands of rows per second); a delivery already there (same webhook-id) is
 * left alone. Rows in `leased` are inserted already claimed by this dispatcher until
 * `leaseUntil` (handed straight to its worker). Returns the ids that were new.
 */
export async function insertDeliveries(
  prisma: PrismaClient,
  rows: readonly Prisma.WebhookDeliveryCreateManyInput[],
  leased: ReadonlySet<string> = new Set(),
  leaseUntil: Date = new Date(0),
): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const at = (value: Date | string | undefined) =>
    value === undefined ? new Date() : new Date(value);
  const inserted = await prisma.$queryRaw<{ id: string }[]>`
    INSERT INTO webhook_deliveries
      (id, endpoint_id, event_id, event_type, payload, status, next_attempt_at, created_at,
       locked_until)
    SELECT * FROM unnest(
      ${rows.map((r) => r.id)}::text[],
      ${rows.map((r) => r.endpointId)}::text[],
      ${rows.map((r) => r.eventId)}::text[],
      ${rows.map((r) => r.eventType)}::text[],
      ${rows.map((r) => r.payload)}::text[],
      ${rows.map((r) => r.status)}::text[],
      ${rows.map((r) => at(r.nextAttemptAt))}::timestamptz[],
      ${rows.map((r) => at(r.createdAt))}::timestamptz[],
      ${rows.map((r) => (r.id !== undefined && leased.has(r.id) ? leaseUntil : null))}::timestamptz[]
    )
    ON CONFLICT (id) DO NOTHING
    RETURNING id`;
  return new Set(inserted.map((row) => row.id));
}

/** What one HTTP attempt came to. */
export interface AttemptResult {
  delivery: ClaimedDelivery;
  attemptedAt: Date;
  latencyMs: number;
  statusCode: number | null;
  /** 2xx */
  succeeded: boolean;
  /** 410 Gone: the receiver says the endpoint no longer exists. */
  gone: boolean;
  responseBody: string | null;
  error: string | null;
}

export interface CompletionPolicy {
  /** Delay before each retry, ms (WEBHOOK_RETRY_SCHEDULE). */
  schedule: readonly number[];
  /** WEBHOOK_DISABLE_AFTER, ms. */
  disableAfterMs: number;
  random: () => number;
}

/** What a completion changed beyond the deliveries themselves (for logs and the worker). */
export interface CompletionSummary {
  disabled: { id: string; reason: "gone" | "failing" }[];
}

interface DeliveryUpdate {
  id: string;
  status: "pending" | "succeeded" | "failed";
  retryStep: number;
  nextAt: Date | null;
}

/** The delivery's new state after an attempt: succeeded, failed for good, or a retry time. */
export function afterAttempt(result: AttemptResult, policy: CompletionPolicy): DeliveryUpdate {
  const { delivery } = result;
  if (result.succeeded) {
    return { id: delivery.id, status: "succeeded", retryStep: delivery.retryStep, nextAt: null };
  }
  const retryAt = result.gone
    ? undefined
    : nextRetryAt(result.attemptedAt.getTime(), delivery.retryStep, policy.schedule, policy.random);
  return retryAt === undefined
    ? { id: delivery.id, status: "failed", retryStep: delivery.retryStep, nextAt: null }
    : {
        id: delivery.id,
        status: "pending",
        retryStep: delivery.retryStep + 1,
        nextAt: new Date(retryAt),
      };
}

interface EndpointUpdate {
  id: string;
  successAt: Date | null;
  failureAt: Date | null;
  error: string | null;
  /** A success came in this batch: failing_since becomes `failingSince` (null or later failures). */
  reset: boolean;
  failingSince: Date | null;
}

/** Per endpoint: last success, last failure, and the failing streak these attempts leave. */
export function endpointUpdates(results: readonly AttemptResult[]): EndpointUpdate[] {
  const byEndpoint = new Map<string, AttemptResult[]>();
  for (const result of results) {
    const list = byEndpoint.get(result.delivery.endpointId) ?? [];
    list.push(result);
    byEndpoint.set(result.delivery.endpointId, list);
  }
  return [...byEndpoint].map(([id, list]) => {
    const sorted = [...list].sort((a, b) => a.attemptedAt.getTime() - b.attemptedAt.getTime());
    const lastSuccess = sorted.findLast((r) => r.succeeded);
    const lastFailure = sorted.findLast((r) => !r.succeeded);
    const streak = sorted.filter(
      (r) => !r.succeeded && (!lastSuccess || r.attemptedAt > lastSuccess.attemptedAt),
    );
    return {
      id,
      successAt: lastSuccess?.attemptedAt ?? null,
      failureAt: lastFailure?.attemptedAt ?? null,
      error: lastFailure ? describeFailure(lastFailure) : null,
      reset: lastSuccess !== undefined,
      failingSince: streak[0]?.attemptedAt ?? null,
    };
  });
}

export const describeFailure = (result: AttemptResult): string =>
  result.error ?? `HTTP ${result.statusCode ?? "?"}`;

/**
 * Writes a batch of attempt results in one statement (atomic, one round trip): the attempt log,
 * each delivery's new state (releasing its lease), and each endpoint's health, disabling
 * endpoints that answered 410 or have failed for longer than the policy allows. The pending
 * deliveries of endpoints it disabled are then failed.
 */
export async function completeDeliveries(
  prisma: PrismaClient,
  results: readonly AttemptResult[],
  policy: CompletionPolicy,
  now: Date,
): Promise<CompletionSummary> {
  if (results.length === 0) return { disabled: [] };
  const updates = results.map((result) => afterAttempt(result, policy));
  const endpoints = endpointUpdates(results);
  const gone = new Set(results.filter((r) => r.gone).map((r) => r.delivery.endpointId));
  const failingCutoff = new Date(now.getTime() - policy.disableAfterMs);
  const disabled = await prisma.$queryRaw<{ id: string; reason: "gone" | "failing" }[]>`
    WITH result AS (
      SELECT * FROM unnest(
        ${results.map((r) => r.delivery.id)}::text[],
        ${results.map((r) => r.delivery.endpointId)}::text[],
        ${updates.map((u) => u.status)}::text[],
        ${updates.map((u) => u.retryStep)}::int[],
        ${updates.map((u) => u.nextAt)}::timestamptz[],
        ${results.map((r) => r.attemptedAt)}::timestamptz[],
        ${results.map((r) => r.statusCode)}::int[],
        ${results.map((r) => Math.max(0, Math.round(r.latencyMs)))}::int[],
        ${results.map((r) => r.succeeded)}::boolean[],
        ${results.map((r) => r.responseBody)}::text[],
        ${results.map((r) => r.error)}::text[],
        ${results.map((r) => (r.succeeded ? null : describeFailure(r)))}::text[]
      ) AS v(id, endpoint_id, status, retry_step, next_at, attempted_at, status_code, latency_ms,
             succeeded, response_body, error, last_error)
    ),
    attempts AS (
      INSERT INTO webhook_attempts
        (delivery_id, endpoint_id, attempted_at, status_code, latency_ms, succeeded,
         response_body, error)
      SELECT id, endpoint_id, attempted_at, status_code, latency_ms, succeeded, response_body, error
      FROM result
    ),
    deliveries AS (
      UPDATE webhook_deliveries d SET
        status = r.status,
        attempts = d.attempts + 1,
        retry_step = r.retry_step,
        next_attempt_at = COALESCE(r.next_at, d.next_attempt_at),
        locked_until = NULL,
        last_attempt_at = r.attempted_at,
        last_status_code = r.status_code,
        last_error = r.last_error,
        finished_at = CASE WHEN r.status = 'pending' THEN NULL ELSE r.attempted_at END
      FROM result r
      WHERE d.id = r.id
    ),
    health AS (
      SELECT v.*, s.streak,
        COALESCE(s.streak <= ${failingCutoff}, false) AS too_long
      FROM unnest(
        ${endpoints.map((e) => e.id)}::text[],
        ${endpoints.map((e) => e.successAt)}::timestamptz[],
        ${endpoints.map((e) => e.failureAt)}::timestamptz[],
        ${endpoints.map((e) => e.error)}::text[],
        ${endpoints.map((e) => e.reset)}::boolean[],
        ${endpoints.map((e) => e.failingSince)}::timestamptz[],
        ${endpoints.map((e) => gone.has(e.id))}::boolean[]
      ) AS v(id, success_at, failure_at, error, reset, failing_since, gone)
      JOIN webhook_endpoints e USING (id)
      -- The failing streak after these attempts: restarted by a success in them, else kept.
      CROSS JOIN LATERAL (
        SELECT CASE WHEN v.reset THEN v.failing_since
                    ELSE COALESCE(e.failing_since, v.failing_since) END AS streak
      ) s
    ),
    changed AS (
      UPDATE webhook_endpoints e SET
        last_success_at = COALESCE(h.success_at, e.last_success_at),
        last_failure_at = COALESCE(h.failure_at, e.last_failure_at),
        last_error = COALESCE(h.error, e.last_error),
        failing_since = h.streak,
        enabled = e.enabled AND NOT (h.gone OR h.too_long),
        disabled_reason = CASE
          WHEN e.enabled AND h.gone THEN 'gone'
          WHEN e.enabled AND h.too_long THEN 'failing'
          ELSE e.disabled_reason END,
        disabled_at = CASE
          WHEN e.enabled AND (h.gone OR h.too_long) THEN ${now}
          ELSE e.disabled_at END
      FROM health h
      WHERE e.id = h.id
      RETURNING e.id, e.enabled, e.disabled_reason, e.disabled_at
    )
    SELECT id, disabled_reason AS reason FROM changed
    WHERE NOT enabled AND disabled_at = ${now} AND disabled_reason IN ('gone', 'failing')`;
  if (disabled.length > 0) {
    await prisma.$executeRaw`
      UPDATE webhook_deliveries SET
        status = 'failed',
        finished_at = ${now},
        last_error = COALESCE(last_error || '; ', '') || 'endpoint disabled'
      WHERE endpoint_id = ANY(${disabled.map((d) => d.id)}::text[]) AND status = 'pending'`;
  }
  return { disabled };
}
