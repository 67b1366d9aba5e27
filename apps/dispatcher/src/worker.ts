import type { PrismaClient } from "@fleetstream/db";
import type { Logger } from "@fleetstream/service";
import { type EndpointRow, endpointSettings } from "@fleetstream/webhooks";
import {
  type AttemptResult,
  type ClaimedDelivery,
  type ClaimRequest,
  type CompletionPolicy,
  claimDeliveries,
  completeDeliveries,
  describeFailure,
} from "./queue";
import type { EndpointTarget, Sender } from "./sender";
import { TokenBucket } from "./token-bucket";

export interface WorkerConfig {
  /** WEBHOOK_CONCURRENCY: attempts in flight in this dispatcher. */
  concurrency: number;
  /** WEBHOOK_ENDPOINT_CONCURRENCY: attempts in flight per endpoint. */
  endpointConcurrency: number;
  /** WEBHOOK_POLL_MS: how often due retries and other dispatchers' rows are looked for. */
  pollMs: number;
  /** The claim lease: longer than an attempt can take, so a live dispatcher keeps its rows. */
  leaseMs: number;
  policy: CompletionPolicy;
}

export interface WorkerStats {
  claimed: number;
  succeeded: number;
  failed: number;
  inFlight: number;
}

interface EndpointState {
  target: EndpointTarget;
  inFlight: number;
  bucket: TokenBucket | undefined;
}

/** Results are written in batches: after this many, or this long after the first. */
const FLUSH_SIZE = 200;
const FLUSH_DELAY_MS = 5;
/**
 * After attempts finish, the freed slots are claimed together this much later (one claim per
 * finished attempt would cost a query per delivery).
 */
const RECLAIM_DELAY_MS = 3;
/** Endpoint settings (URL, secrets, limits) are re-read this often. */
const ENDPOINTS_MAX_AGE_MS = 1_000;
const MAX_BACKOFF_MS = 5_000;

/**
 * Sends due deliveries. A claim takes at most each endpoint's share (WEBHOOK_ENDPOINT_CONCURRENCY
 * minus its attempts in flight, and its rate-limit tokens) and at most the free slots
 * (WEBHOOK_CONCURRENCY minus attempts in flight), so a slow or dead endpoint occupies at most its
 * own share and never the slots other endpoints' deliveries need. A claim runs when woken (new
 * deliveries, a finished attempt while a limit held some back) and every WEBHOOK_POLL_MS
 * (retries coming due, rows queued by the web app or left by a dead dispatcher). Results are
 * written in batches by one writer; a database outage is waited out with backoff, results kept in
 * memory (the lease keeps the rows from being sent again meanwhile, until it runs out).
 */
export function createWorker(deps: {
  prisma: PrismaClient;
  sender: Sender;
  logger: Logger;
  config: WorkerConfig;
  now?: () => number;
}) {
  const { prisma, sender, logger, config, now = Date.now } = deps;
  const endpoints = new Map<string, EndpointState>();
  let endpointsLoadedAt = Number.NEGATIVE_INFINITY;
  let inFlight = 0;
  let running = false;
  let cycle: Promise<void> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let failures = 0;
  const stats: WorkerStats = { claimed: 0, succeeded: 0, failed: 0, inFlight: 0 };
  const attempts = new Set<Promise<void>>();
  /** The last claim may have left due deliveries behind (a limit was reached). */
  let backlog = false;

  // ---- results writer
  const pending: AttemptResult[] = [];
  let flushing: Promise<void> | undefined;
  let flushTimer: NodeJS.Timeout | undefined;
  const idle: (() => void)[] = [];

  function scheduleFlush(): void {
    if (flushing || flushTimer) return;
    if (pending.length >= FLUSH_SIZE) {
      flushing = flush();
      return;
    }
    flushTimer = setTimeout(() => {
      flushTimer = undefined;
      flushing = flush();
    }, FLUSH_DELAY_MS);
  }

  async function flush(): Promise<void> {
    let backoff = 100;
    let tries = 0;
    while (pending.length > 0) {
      const batch = pending.slice(0, 1_000);
      try {
        const summary = await completeDeliveries(prisma, batch, config.policy, new Date(now()));
        pending.splice(0, batch.length);
        for (const { id, reason } of summary.disabled) {
          logger.warn({ endpointId: id, reason }, "endpoint disabled");
          endpointsLoadedAt = Number.NEGATIVE_INFINITY;
        }
        backoff = 100;
      } catch (error) {
        tries += 1;
        if (!running && tries >= 3) {
          // Stopping with the database away: the leases run out and these are sent again.
          logger.warn({ err: error, results: pending.length }, "dropping unwritten results");
          pending.splice(0);
          break;
        }
        logger.warn(
          { err: error, results: pending.length },
          "writing delivery results failed; retrying",
        );
        await sleep(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
    flushing = undefined;
    for (const resolve of idle.splice(0)) resolve();
    if (pending.length > 0) scheduleFlush();
  }

  // ---- endpoints
  async function refreshEndpoints(): Promise<void> {
    if (now() - endpointsLoadedAt < ENDPOINTS_MAX_AGE_MS) return;
    useEndpoints(await prisma.webhookEndpoint.findMany({ where: { enabled: true } }));
  }

  /** The enabled endpoints, freshly read (by the refresh, or by the intake for its batch). */
  function useEndpoints(rows: readonly EndpointRow[]): void {
    endpointsLoadedAt = now();
    const seen = new Set<string>();
    for (const row of rows) {
      seen.add(row.id);
      const { headers } = endpointSettings(row);
      const target: EndpointTarget = {
        id: row.id,
        url: row.url,
        headers,
        secret: row.secret,
        previousSecret: row.previousSecret,
        previousSecretExpiresAt: row.previousSecretExpiresAt,
      };
      const state = endpoints.get(row.id);
      const rate = row.rateLimitPerSecond;
      if (state) {
        state.target = target;
        if (state.bucket?.rate !== (rate ?? undefined)) {
          state.bucket = rate ? new TokenBucket(rate, now()) : undefined;
        }
      } else {
        endpoints.set(row.id, {
          target,
          inFlight: 0,
          bucket: rate ? new TokenBucket(rate, now()) : undefined,
        });
      }
    }
    for (const [id, state] of endpoints) {
      if (!seen.has(id) && state.inFlight === 0) endpoints.delete(id);
    }
    sender.retain(new Set(endpoints.keys()));
  }

  /** Whether an endpoint has a free slot (and a rate-limit token) now; takes it if so. */
  function takeSlot(state: EndpointState): boolean {
    if (!running || inFlight >= config.concurrency) return false;
    if (state.inFlight >= config.endpointConcurrency) return false;
    if (state.bucket && state.bucket.available(now()) < 1) return false;
    state.inFlight += 1;
    state.bucket?.take(now());
    inFlight += 1;
    return true;
  }

  function freeSlot(state: EndpointState | undefined): void {
    if (state) state.inFlight -= 1;
    inFlight -= 1;
  }

  /**
   * What to claim: the free slots, and each known endpoint's share where it is smaller than the
   * default (attempts in flight, rate-limit tokens). Endpoints created since the last refresh
   * get the default share, capped by their rate limit.
   */
  function claimRequest(): ClaimRequest {
    const at = now();
    const limits = new Map<string, number>();
    for (const state of endpoints.values()) {
      let limit = config.endpointConcurrency - state.inFlight;
      if (state.bucket) limit = Math.min(limit, state.bucket.available(at));
      if (limit < config.endpointConcurrency) limits.set(state.target.id, Math.max(0, limit));
    }
    return {
      total: config.concurrency - inFlight,
      perEndpoint: config.endpointConcurrency,
      limits,
    };
  }

  async function runCycle(): Promise<void> {
    await refreshEndpoints();
    const request = claimRequest();
    if (request.total <= 0) {
      backlog = true;
      return;
    }
    const claimed = await claimDeliveries(prisma, request, new Date(now()), config.leaseMs);
    stats.claimed += claimed.length;
    // Full claim, or an endpoint at its share: more may be due as soon as a slot frees up.
    const perEndpoint = new Map<string, number>();
    for (const delivery of claimed) {
      perEndpoint.set(delivery.endpointId, (perEndpoint.get(delivery.endpointId) ?? 0) + 1);
    }
    backlog =
      claimed.length >= request.total ||
      [...perEndpoint].some(
        ([id, count]) => count >= (request.limits.get(id) ?? request.perEndpoint),
      ) ||
      [...request.limits.values()].some((limit) => limit === 0);
    if (claimed.some((delivery) => !endpoints.has(delivery.endpointId))) {
      endpointsLoadedAt = Number.NEGATIVE_INFINITY; // an endpoint created since the last refresh
      await refreshEndpoints();
    }
    for (const delivery of claimed) {
      const state = endpoints.get(delivery.endpointId);
      if (state) {
        state.inFlight += 1;
        state.bucket?.take(now());
      }
      inFlight += 1;
      start(delivery);
    }
  }

  /** Sends a delivery whose slot is taken (claimed or reserved). */
  function start(delivery: ClaimedDelivery): void {
    const state = endpoints.get(delivery.endpointId);
    if (!state) {
      freeSlot(undefined); // deleted meanwhile: its lease runs out, a later claim sees it gone
      return;
    }
    const attempt = sender.send(state.target, delivery).then((result) => {
      freeSlot(state);
      if (result.succeeded) stats.succeeded += 1;
      else {
        stats.failed += 1;
        logger.debug(
          {
            deliveryId: delivery.id,
            endpointId: delivery.endpointId,
            error: describeFailure(result),
          },
          "attempt failed",
        );
      }
      pending.push(result);
      scheduleFlush();
      if (backlog) wakeSoon();
    });
    attempts.add(attempt);
    void attempt.finally(() => attempts.delete(attempt));
  }

  let soon: NodeJS.Timeout | undefined;
  /** A claim cycle shortly, gathering the slots that free up meanwhile. */
  function wakeSoon(): void {
    if (soon || !running) return;
    soon = setTimeout(() => {
      soon = undefined;
      wake();
    }, RECLAIM_DELAY_MS);
  }

  /** Runs a claim cycle now, or right after the one in progress. */
  function wake(): void {
    if (!running) return;
    if (cycle) {
      again = true;
      return;
    }
    cycle = (async () => {
      do {
        again = false;
        try {
          await runCycle();
          failures = 0;
        } catch (error) {
          failures += 1;
          logger.warn({ err: error, failures }, "claiming deliveries failed; retrying");
          await sleep(Math.min(100 * 2 ** failures, MAX_BACKOFF_MS));
          again = true;
        }
      } while (again && running);
    })().finally(() => {
      cycle = undefined;
    });
  }

  function tick(): void {
    if (!running) return;
    wake();
    timer = setTimeout(tick, nextTickDelay());
  }

  /** The poll interval, or sooner when a rate-limited endpoint with a backlog gets a token. */
  function nextTickDelay(): number {
    let delay = config.pollMs;
    const at = now();
    if (backlog) {
      for (const state of endpoints.values()) {
        if (state.bucket) delay = Math.min(delay, state.bucket.msUntilToken(at));
      }
    }
    return Math.max(5, delay);
  }

  return {
    stats: (): WorkerStats => ({ ...stats, inFlight }),
    wake,
    useEndpoints,
    leaseMs: config.leaseMs,
    /**
     * Takes a slot for each new delivery whose endpoint has one free now; returns their ids.
     * The caller inserts those rows claimed, then `begin`s the inserted ones and `release`s
     * the rest.
     */
    reserve(rows: readonly { id?: string; endpointId: string }[]): Set<string> {
      const reserved = new Set<string>();
      for (const row of rows) {
        const state = endpoints.get(row.endpointId);
        if (row.id !== undefined && state && takeSlot(state)) reserved.add(row.id);
      }
      if (reserved.size < rows.length) backlog = true;
      return reserved;
    },
    begin(deliveries: readonly ClaimedDelivery[]): void {
      stats.claimed += deliveries.length;
      for (const delivery of deliveries) start(delivery);
    },
    release(rows: readonly { endpointId: string }[]): void {
      for (const row of rows) freeSlot(endpoints.get(row.endpointId));
    },
    start(): void {
      running = true;
      tick();
    },
    /** Stops claiming, waits for the attempts in flight and writes their results. */
    async stop(): Promise<void> {
      running = false;
      clearTimeout(timer);
      clearTimeout(soon);
      await cycle;
      await Promise.all([...attempts]);
      if (flushTimer) {
        clearTimeout(flushTimer);
        flushTimer = undefined;
        flushing ??= flush();
      }
      if (flushing) await new Promise<void>((resolve) => idle.push(resolve));
    },
  };
}

export type Worker = ReturnType<typeof createWorker>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
