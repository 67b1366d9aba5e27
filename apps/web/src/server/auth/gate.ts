import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { fromNodeHeaders } from "better-auth/node";
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import type { Accounts } from "./accounts";
import type { ApiKeyStore } from "./api-keys";
import type { AuditLog } from "./audit";
import { accessFor, isApiPath } from "./policy";
import { encodePrincipal, isRole, PRINCIPAL_HEADER, type Principal, roleAllows } from "./roles";

// The one door every HTTP request and socket.io connection goes through before Next.js or a
// feed sees it: who is asking (session cookie or API key), whether their role may (policy.ts),
// cross-site writes refused (Origin check on top of SameSite cookies), sign-in and writes rate
// limited. Route handlers read the principal from PRINCIPAL_HEADER, which the gate sets after
// removing any value a client sent.

export interface GateOptions {
  accounts: Accounts;
  apiKeys: ApiKeyStore;
  audit: AuditLog;
  /** PUBLIC_URL: the one origin browsers may send writes from. Unset: the request's own Host. */
  publicUrl?: string | undefined;
  /** Sign-in attempts per minute per client address (10). */
  signInPerMinute?: number;
  /** Writes (POST/PUT/PATCH/DELETE) per minute per principal (300). */
  writesPerMinute?: number;
  /** Called to drop the live connections of a room ("session:<id>", "user:<id>", "key:<id>"). */
  dropSockets: (room: string) => void;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const AUTH_PREFIX = "/api/auth/";
/** better-auth requests are small JSON; anything bigger is refused before it is read. */
const AUTH_BODY_LIMIT = 64 * 1024;

/** better-auth admin routes whose success is written to the audit log, as action names. */
const AUDITED_ADMIN_ROUTES: Record<string, string> = {
  "/api/auth/admin/create-user": "user.create",
  "/api/auth/admin/set-role": "user.set-role",
  "/api/auth/admin/remove-user": "user.delete",
  "/api/auth/admin/ban-user": "user.ban",
  "/api/auth/admin/unban-user": "user.unban",
  "/api/auth/admin/set-user-password": "user.set-password",
  "/api/auth/admin/update-user": "user.update",
};

function sendJson(res: ServerResponse, status: number, body: object, headers = {}): void {
  res
    .writeHead(status, {
      "content-type": "application/json",
      "cache-control": "no-store",
      ...headers,
    })
    .end(JSON.stringify(body));
}

export function createGate(options: GateOptions) {
  const { accounts, apiKeys } = options;
  const signIn = new RateLimiterMemory({ points: options.signInPerMinute ?? 10, duration: 60 });
  const writes = new RateLimiterMemory({ points: options.writesPerMinute ?? 300, duration: 60 });
  const publicOrigin = options.publicUrl ? new URL(options.publicUrl).origin : undefined;

  /** Who sent these headers: an API key (Authorization: Bearer) or a session cookie. */
  async function principalOf(
    headers: IncomingHttpHeaders,
    token?: string,
  ): Promise<Principal | undefined> {
    const bearer = token ?? /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? "")?.[1];
    if (bearer) return apiKeys.verify(bearer);
    if (!headers.cookie) return undefined;
    const found = await accounts.api.getSession({ headers: fromNodeHeaders(headers) });
    if (!found || found.user.banned || !isRole(found.user.role)) return undefined;
    return {
      kind: "user",
      id: found.user.id,
      label: found.user.email,
      role: found.user.role,
      sessionId: found.session.id,
    };
  }

  /** Same-origin check: the Origin a browser sends must be ours (PUBLIC_URL, else our Host). */
  function originAllowed(origin: string | undefined, host: string | undefined): boolean {
    if (origin === undefined) return true; // not a browser (curl, scripts): no CSRF possible
    if (publicOrigin) return origin === publicOrigin;
    try {
      return new URL(origin).host === host;
    } catch {
      return false;
    }
  }

  async function limited(limiter: RateLimiterMemory, key: string, res: ServerResponse) {
    try {
      await limiter.consume(key);
      return false;
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const seconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      sendJson(
        res,
        429,
        { error: `too many requests: try again in ${seconds} s` },
        { "retry-after": String(seconds) },
      );
      return true;
    }
  }

  /** better-auth's routes, bridged from Node to its fetch handler (and audited for admins). */
  async function handleAuth(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    principal: Principal | undefined,
  ) {
    const chunks: Buffer[] = [];
    let size = 0;
    if (req.method !== "GET" && req.method !== "HEAD") {
      for await (const chunk of req as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > AUTH_BODY_LIMIT) {
          sendJson(res, 413, { error: `request body above ${AUTH_BODY_LIMIT} bytes` });
          return;
        }
        chunks.push(chunk);
      }
    }
    const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
    const host = req.headers.host ?? "localhost";
    const request = new Request(new URL(req.url ?? "/", publicOrigin ?? `http://${host}`), {
      method: req.method ?? "GET",
      headers: fromNodeHeaders(req.headers),
      ...(body ? { body } : {}),
    });
    const response = await accounts.handler(request);
    const headers: Record<string, string | string[]> = {};
    response.headers.forEach((value, name) => {
      if (name !== "set-cookie") headers[name] = value;
    });
    const cookies = response.headers.getSetCookie();
    if (cookies.length > 0) headers["set-cookie"] = cookies;
    const answer = Buffer.from(await response.arrayBuffer());
    res.writeHead(response.status, headers).end(answer);

    if (!response.ok) return;
    if (path === "/api/auth/sign-out" && principal?.sessionId) {
      options.dropSockets(`session:${principal.sessionId}`);
    }
    const action = AUDITED_ADMIN_ROUTES[path];
    if (action && principal) {
      const input = parseJson(body);
      const userId = typeof input.userId === "string" ? input.userId : undefined;
      const created = action === "user.create" ? parseJson(answer) : {};
      const targetId = userId ?? (created.user as { id?: string } | undefined)?.id ?? null;
      const { password: _password, newPassword: _newPassword, ...detail } = input;
      await options.audit.record(principal, {
        action,
        targetType: "user",
        targetId,
        detail,
      });
      // A changed role, a ban or a removal applies to the user's open maps at once.
      if (userId && action !== "user.update") options.dropSockets(`user:${userId}`);
    }
  }

  return {
    principalOf,
    originAllowed,

    /**
     * Decides a request: true when the gate answered it (refused, or a better-auth route), false
     * to pass it on to Next.js with the principal header set.
     */
    async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
      delete req.headers[PRINCIPAL_HEADER];
      const method = req.method ?? "GET";
      const isApi = isApiPath(path);
      const address = req.socket.remoteAddress ?? "unknown";

      if (!SAFE_METHODS.has(method) && !originAllowed(req.headers.origin, req.headers.host)) {
        sendJson(res, 403, {
          error: `cross-site request refused: Origin ${req.headers.origin} is not this site`,
        });
        return true;
      }
      if (method === "POST" && path.startsWith("/api/auth/sign-in")) {
        if (await limited(signIn, address, res)) return true;
      }

      const isAuthRoute = path.startsWith(AUTH_PREFIX);
      const access = isAuthRoute ? "public" : accessFor(method, path);
      // Assets and the sign-in page need no lookup; everything else does (one query).
      const principal =
        access !== "public" || isAuthRoute ? await principalOf(req.headers) : undefined;
      if (!SAFE_METHODS.has(method) && isApi && !path.startsWith("/api/auth/sign-in")) {
        const who = principal ? `${principal.kind}:${principal.id}` : address;
        if (await limited(writes, who, res)) return true;
      }
      if (isAuthRoute) {
        await handleAuth(req, res, path, principal);
        return true;
      }
      if (access !== "public" && !principal) {
        if (isApi) {
          sendJson(
            res,
            401,
            { error: "sign in, or send an API key as Authorization: Bearer <key>" },
            { "www-authenticate": 'Bearer realm="fleetstream"' },
          );
        } else {
          const next = encodeURIComponent(req.url ?? "/");
          res.writeHead(303, { location: `/sign-in?next=${next}`, "cache-control": "no-store" });
          res.end();
        }
        return true;
      }
      if (access !== "public" && principal && !roleAllows(principal.role, access)) {
        if (isApi) {
          sendJson(res, 403, {
            error: `forbidden: this needs the ${access} role (you are ${principal.role})`,
          });
        } else {
          res.writeHead(303, { location: "/", "cache-control": "no-store" }).end();
        }
        return true;
      }
      if (principal) {
        req.headers[PRINCIPAL_HEADER] = encodePrincipal(principal);
      }
      return false;
    },
  };
}

export type Gate = ReturnType<typeof createGate>;

function parseJson(body: Buffer | string | undefined): Record<string, unknown> {
  if (!body || body.length === 0) return {};
  try {
    const value: unknown = JSON.parse(body.toString());
    return value && typeof value === "object" ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
