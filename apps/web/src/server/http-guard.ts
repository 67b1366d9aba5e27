import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { MAX_BODY_BYTES } from "./http/respond";

// HTTP hardening in front of everything the web server answers (pages, API, /metrics, health):
// security headers on every response, and the checks that must run before Next.js sees a
// request. The server's request listener calls the guard first; it answers (and returns true)
// when the request goes no further. Each refusal is JSON `{ error }` like every API error.

export interface HttpGuardOptions {
  /** MAP_TILE_URL: a tile URL template or "none"; its origin is allowed as an image source. */
  tileUrl: string;
  /** Next.js dev mode (its client compiles with eval). */
  dev: boolean;
  /** Largest request body of an API call, bytes (MAX_BODY_BYTES, 1 MiB). */
  maxBodyBytes?: number;
}

/** The guard: true when it has answered the request itself. */
export type HttpGuard = (req: IncomingMessage, res: ServerResponse) => boolean;

const JSON_TYPE = "application/json";
const WITH_BODY = new Set(["POST", "PUT", "PATCH"]);

export function createHttpGuard(options: HttpGuardOptions): HttpGuard {
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  return (req, res) => {
    for (const [name, value] of Object.entries(securityHeaders(options, req.headers.host)))
      res.setHeader(name, value);

    const target = req.url ?? "/";
    const path = target.replace(/[?#].*$/s, "");
    // %00 decodes to NUL, which PostgreSQL refuses in text (a 500 deep in a handler).
    if (target.includes("\0") || /%00/i.test(target)) {
      return refuse(res, 400, "the request URL must not contain NUL bytes (%00)");
    }
    try {
      decodeURIComponent(path);
    } catch {
      return refuse(res, 400, "the request path has malformed percent-encoding");
    }
    if (!(path === "/api" || path.startsWith("/api/"))) return false;

    const length = req.headers["content-length"];
    if (length !== undefined && Number(length) > maxBodyBytes) {
      return refuse(
        res,
        413,
        `request body of ${length} bytes exceeds the limit of ${maxBodyBytes} bytes`,
        true,
      );
    }
    const hasBody =
      (length !== undefined && length !== "0") || req.headers["transfer-encoding"] !== undefined;
    const type = req.headers["content-type"];
    const method = req.method ?? "GET";
    const checked = hasBody
      ? method !== "GET" && method !== "HEAD"
      : WITH_BODY.has(method) && type !== undefined;
    if (checked && !isJson(type)) {
      return refuse(
        res,
        415,
        `content-type must be ${JSON_TYPE}${type ? `, not ${type.split(";")[0]?.trim()}` : ""}`,
        true,
      );
    }
    return false;
  };
}

/** `application/json`, with any parameters (`; charset=utf-8`), in any case. */
export function isJson(type: string | undefined): boolean {
  return type?.split(";")[0]?.trim().toLowerCase() === JSON_TYPE;
}

/**
 * The headers every response carries. The CSP allows what the dashboard loads: its own scripts,
 * styles, images and fonts, the configured tile server's images, and socket.io (same-origin
 * HTTP, and WebSocket to the same host, spelled out because older browsers do not count ws: as
 * 'self').
 *
 * script-src has 'unsafe-inline': Next.js's app router inlines its bootstrap and RSC payload
 * scripts. Nonces would avoid it, but Next applies a nonce only to pages it renders per request;
 * pages prerendered at build time (the not-found page) would lose their inline scripts, and
 * every page would have to be rendered per request. React escapes the text it renders, and
 * the rest of the policy (no other origins, no plugins, no framing, no foreign forms or base)
 * still holds. style-src has 'unsafe-inline' for Leaflet's and React's style attributes.
 */
export function securityHeaders(
  options: Pick<HttpGuardOptions, "tileUrl" | "dev">,
  host: string | undefined,
): Record<string, string> {
  const sameHost = host && /^[A-Za-z0-9.:[\]-]+$/.test(host) ? host : undefined;
  const tiles = tileSource(options.tileUrl);
  const policy = [
    "default-src 'self'",
    `script-src 'self' 'unsafe-inline'${options.dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data: blob:${tiles ? ` ${tiles}` : ""}`,
    "font-src 'self' data:",
    `connect-src 'self'${sameHost ? ` ws://${sameHost} wss://${sameHost}` : ""}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
  return {
    "content-security-policy": policy,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "cross-origin-opener-policy": "same-origin",
  };
}

/**
 * The CSP source of a tile URL template: its origin, `{s}.host` as `*.host`; a scheme only if a
 * placeholder sits elsewhere in the host; none for "none" or a same-origin path ('self').
 */
export function tileSource(tileUrl: string): string | undefined {
  const match = /^(https?):\/\/([^/?#]+)/i.exec(tileUrl);
  if (!match) return undefined;
  const scheme = (match[1] as string).toLowerCase();
  const host = (match[2] as string).replace(/^\{[^}]*\}\./, "*.");
  if (/[{}]/.test(host)) return `${scheme}:`;
  return `${scheme}://${host}`;
}

/**
 * Answers with `{ error }`. `close`: the body was not read, so the connection is closed after
 * the answer instead of reading (and discarding) the rest.
 */
function refuse(res: ServerResponse, status: number, message: string, close = false): true {
  sendProblem(res, status, message, close ? { connection: "close" } : {});
  return true;
}

/** A JSON error answer on a raw Node response (the server's own errors: 500, 503). */
export function sendProblem(
  res: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  if (!res.headersSent) {
    res.writeHead(status, {
      "content-type": "application/json; charset=utf-8",
      "cache-control": "no-store",
      ...headers,
    });
  }
  res.end(JSON.stringify({ error: message }));
}

/**
 * What Node's HTTP parser refuses before any listener runs (a raw NUL or a space in the path, a
 * bad header): 400 with a JSON body instead of Node's empty one.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable || error.code === "ECONNRESET") {
    socket.destroy();
    return;
  }
  const status = error.code === "HPE_HEADER_OVERFLOW" ? 431 : 400;
  const body = JSON.stringify({ error: `bad request: ${error.message}` });
  socket.end(
    `HTTP/1.1 ${status} ${status === 431 ? "Request Header Fields Too Large" : "Bad Request"}\r\n` +
      "content-type: application/json; charset=utf-8\r\n" +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
