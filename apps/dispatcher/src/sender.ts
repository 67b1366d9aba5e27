import {
  type AllowList,
  checkLiteralHost,
  createSigner,
  guardedLookup,
  type Resolver,
  systemResolver,
} from "@fleetstream/webhooks";
import { Pool } from "undici";
import type { AttemptResult, ClaimedDelivery } from "./queue";

/** How much of a response the delivery log keeps. */
export const RESPONSE_LOG_BYTES = 1_024;
/** Read at most this much of a response (so the connection can be reused), then hang up. */
const RESPONSE_READ_LIMIT = 64 * 1_024;

export interface EndpointTarget {
  id: string;
  url: string;
  headers: Record<string, string>;
  secret: string;
  /** Still signs until `previousSecretExpiresAt`. */
  previousSecret: string | null;
  previousSecretExpiresAt: Date | null;
}

export interface SenderOptions {
  allow: AllowList;
  resolve?: Resolver;
  /** WEBHOOK_TIMEOUT_MS: connect + request + response headers and body. */
  timeoutMs: number;
  /** Connections per endpoint (WEBHOOK_ENDPOINT_CONCURRENCY). */
  connectionsPerEndpoint: number;
  now?: () => number;
}

interface Connection {
  key: string;
  pool: Pool;
  url: URL;
  sign: ReturnType<typeof createSigner>;
}

/**
 * Sends deliveries over HTTP (undici): one connection pool per endpoint (keep-alive, so a busy
 * endpoint costs no handshake per delivery, and a slow one cannot hold another's connections),
 * the SSRF guard as the pool's DNS lookup and before connecting to an IP literal, no redirects
 * (undici's request does not follow them), and one deadline for the whole attempt.
 */
export function createSender(options: SenderOptions) {
  const { allow, timeoutMs, now = Date.now } = options;
  const lookup = guardedLookup(allow, options.resolve ?? systemResolver);
  const connections = new Map<string, Connection>();

  function connection(endpoint: EndpointTarget): Connection {
    const at = now();
    const previous =
      endpoint.previousSecret &&
      endpoint.previousSecretExpiresAt &&
      endpoint.previousSecretExpiresAt.getTime() > at
        ? endpoint.previousSecret
        : null;
    const url = new URL(endpoint.url);
    const key = `${url.origin}|${endpoint.secret}|${previous ?? ""}`;
    const existing = connections.get(endpoint.id);
    if (existing?.key === key) return existing;
    if (existing) void existing.pool.close().catch(() => {});
    // An IP literal or a refused name is checked here: sockets do not look literals up.
    checkLiteralHost(url.hostname, allow);
    const created: Connection = {
      key,
      url,
      sign: createSigner(previous ? [endpoint.secret, previous] : [endpoint.secret]),
      pool: new Pool(url.origin, {
        connections: options.connectionsPerEndpoint,
        pipelining: 1,
        connect: { lookup, timeout: timeoutMs },
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        keepAliveTimeout: 4_000,
      }),
    };
    connections.set(endpoint.id, created);
    return created;
  }

  return {
    async send(endpoint: EndpointTarget, delivery: ClaimedDelivery): Promise<AttemptResult> {
      const attemptedAt = new Date(now());
      const started = performance.now();
      const result = (fields: Partial<AttemptResult>): AttemptResult => ({
        delivery,
        attemptedAt,
        latencyMs: performance.now() - started,
        statusCode: null,
        succeeded: false,
        gone: false,
        responseBody: null,
        error: null,
        ...fields,
      });
      try {
        const target = connection(endpoint);
        const response = await target.pool.request({
          method: "POST",
          path: `${target.url.pathname}${target.url.search}`,
          headers: {
            ...endpoint.headers,
            "content-type": "application/json",
            "user-agent": "Fleetstream-Webhooks/1",
            ...target.sign(delivery.id, delivery.payload, attemptedAt),
          },
          body: delivery.payload,
          signal: AbortSignal.timeout(timeoutMs),
        });
        const responseBody = await readStart(response.body);
        const { statusCode } = response;
        return result({
          statusCode,
          succeeded: statusCode >= 200 && statusCode < 300,
          gone: statusCode === 410,
          responseBody,
        });
      } catch (error) {
        return result({ error: describeError(error, timeoutMs) });
      }
    },

    /** Drops the pools of endpoints that no longer exist or changed. */
    retain(endpointIds: ReadonlySet<string>): void {
      for (const [id, entry] of connections) {
        if (endpointIds.has(id)) continue;
        connections.delete(id);
        void entry.pool.close().catch(() => {});
      }
    },

    async close(): Promise<void> {
      const pools = [...connections.values()].map((entry) => entry.pool);
      connections.clear();
      await Promise.all(pools.map((pool) => pool.destroy().catch(() => {})));
    },
  };
}

export type Sender = ReturnType<typeof createSender>;

/** The first RESPONSE_LOG_BYTES of a body, as text; the rest is read (up to a limit) and dropped. */
async function readStart(body: AsyncIterable<Buffer> & { destroy(): unknown }): Promise<string> {
  const kept: Buffer[] = [];
  let keptBytes = 0;
  let read = 0;
  for await (const chunk of body) {
    read += chunk.length;
    if (keptBytes < RESPONSE_LOG_BYTES) {
      const part = chunk.subarray(0, RESPONSE_LOG_BYTES - keptBytes);
      kept.push(part);
      keptBytes += part.length;
    }
    if (read > RESPONSE_READ_LIMIT) {
      body.destroy();
      break;
    }
  }
  return new TextDecoder().decode(Buffer.concat(kept));
}

/** One line for the delivery log: what kind of failure, with the system's code. */
export function describeError(error: unknown, timeoutMs: number): string {
  const err = error as { name?: string; code?: string; message?: string; cause?: unknown };
  if (err.name === "TimeoutError" || err.name === "AbortError") {
    return `timeout: no complete answer within ${timeoutMs} ms`;
  }
  const cause = err.cause as { code?: string; message?: string } | undefined;
  const code = err.code ?? cause?.code;
  const message = err.message || cause?.message || String(error);
  if (code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT") {
    return `timeout: no complete answer within ${timeoutMs} ms`;
  }
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}
