import { ApiKeyInput, AuditQuery } from "@fleetstream/contracts";
import type { ApiKeyStore } from "../auth/api-keys";
import type { AuditLog } from "../auth/audit";
import { principalOf } from "../auth/roles";
import { json, notFound, parseBody, parseQuery, problem, requireDatabase } from "./respond";

// Who am I, API keys and the audit log. Users themselves are better-auth's admin API
// (/api/auth/admin/*), which the dashboard's Admin screen calls.

export type AccessApi = ReturnType<typeof accessApi>;

export function accessApi(deps: {
  apiKeys: () => ApiKeyStore | undefined;
  audit: () => AuditLog | undefined;
  /** Drops the live connections of a revoked key. */
  dropSockets: (room: string) => void;
}) {
  return {
    /** GET /api/me → who the request is from: { kind, id, label, role } */
    me(request: Request): Response {
      const principal = principalOf(request);
      if (!principal) return problem("unauthorized", "not signed in");
      const { sessionId: _session, ...me } = principal;
      return json(me);
    },

    /** GET /api/keys → every key (never a token) */
    async listKeys(): Promise<Response> {
      const keys = requireDatabase(deps.apiKeys(), "API keys");
      if (keys instanceof Response) return keys;
      return json({ keys: await keys.list() });
    },

    /** POST /api/keys {name, role} → 201 { key, token }: the token is shown this once. */
    async createKey(request: Request): Promise<Response> {
      const keys = requireDatabase(deps.apiKeys(), "API keys");
      if (keys instanceof Response) return keys;
      const body = await parseBody(request, ApiKeyInput, "API key");
      if (!body.ok) return body.response;
      const createdBy = principalOf(request)?.label ?? "unknown";
      return json(await keys.create({ ...body.value, createdBy }), 201);
    },

    /** DELETE /api/keys/:id → the revoked key (connections using it are dropped) */
    async revokeKey(_request: Request, id: string): Promise<Response> {
      const keys = requireDatabase(deps.apiKeys(), "API keys");
      if (keys instanceof Response) return keys;
      const revoked = await keys.revoke(id);
      if (!revoked) return notFound("API key", id);
      deps.dropSockets(`key:${id}`);
      return json(revoked);
    },

    /** GET /api/audit?limit=&before= → newest first */
    async audit(request: Request): Promise<Response> {
      const log = requireDatabase(deps.audit(), "the audit log");
      if (log instanceof Response) return log;
      const query = parseQuery(request, AuditQuery);
      if (!query.ok) return query.response;
      return json({ events: await log.list(query.value) });
    },
  };
}
