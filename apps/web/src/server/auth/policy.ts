import type { Role } from "./roles";

// The access table: which role each route needs. One entry per route file under src/app/api and
// per page; policy.test.ts fails when a route file has no entry, so a new endpoint cannot ship
// open by accident. Anything not listed needs an admin.

/** "public": no credentials (health and sign-in only). */
export type Access = Role | "public";

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

interface Rule {
  /** A path with `:param` segments, e.g. /api/geofences/:id. */
  path: string;
  /** Per method; methods not listed fall back to "*" and then to admin. */
  access: Partial<Record<Method | "*", Access>>;
}

export const API_RULES: readonly Rule[] = [
  { path: "/api/health", access: { GET: "public" } },
  // better-auth's own routes: sign-in is public, its admin routes check the role themselves.
  { path: "/api/auth/*", access: { "*": "public" } },
  { path: "/api/me", access: { GET: "viewer" } },
  { path: "/api/trucks", access: { GET: "viewer" } },
  { path: "/api/trucks/:id", access: { GET: "viewer" } },
  { path: "/api/trucks/:id/trail", access: { GET: "viewer" } },
  { path: "/api/trucks/:id/windows", access: { GET: "viewer" } },
  { path: "/api/alerts", access: { GET: "viewer" } },
  { path: "/api/alerts/:id", access: { GET: "viewer" } },
  { path: "/api/alerts/:id/acknowledgement", access: { POST: "dispatcher" } },
  { path: "/api/geofences", access: { GET: "viewer", POST: "dispatcher" } },
  {
    path: "/api/geofences/:id",
    access: { GET: "viewer", PUT: "dispatcher", PATCH: "dispatcher", DELETE: "dispatcher" },
  },
  { path: "/api/geofences/:id/windows", access: { GET: "viewer" } },
  { path: "/api/windows/fleet", access: { GET: "viewer" } },
  { path: "/api/replay", access: { GET: "viewer" } },
  { path: "/api/basemap/outlines", access: { GET: "viewer" } },
  { path: "/api/basemap/roads", access: { GET: "viewer" } },
  { path: "/api/contracts/openapi.json", access: { GET: "viewer" } },
  { path: "/api/contracts/schemas", access: { GET: "viewer" } },
  { path: "/api/contracts/schemas/:name", access: { GET: "viewer" } },
  // Endpoint URLs, headers and secrets: admins only, reading included.
  { path: "/api/webhooks/endpoints", access: { "*": "admin" } },
  { path: "/api/webhooks/endpoints/:id", access: { "*": "admin" } },
  { path: "/api/webhooks/endpoints/:id/deliveries", access: { "*": "admin" } },
  { path: "/api/webhooks/endpoints/:id/redeliver-failed", access: { "*": "admin" } },
  { path: "/api/webhooks/endpoints/:id/rotate-secret", access: { "*": "admin" } },
  { path: "/api/webhooks/endpoints/:id/test", access: { "*": "admin" } },
  { path: "/api/webhooks/deliveries/:id", access: { "*": "admin" } },
  { path: "/api/webhooks/deliveries/:id/redeliver", access: { "*": "admin" } },
  { path: "/api/keys", access: { "*": "admin" } },
  { path: "/api/keys/:id", access: { "*": "admin" } },
  { path: "/api/audit", access: { GET: "admin" } },
  // Prometheus: scrape with a viewer API key (authorization.credentials in the scrape config).
  { path: "/metrics", access: { GET: "viewer" } },
];

/** Pages: the sign-in page is open, the admin screens need an admin, the rest a viewer. */
export const PAGE_RULES: readonly Rule[] = [
  { path: "/sign-in", access: { GET: "public" } },
  { path: "/webhooks", access: { GET: "admin" } },
  { path: "/admin", access: { GET: "admin" } },
  { path: "/", access: { GET: "viewer" } },
];

/** Next.js assets and the icon: no data, needed to draw the sign-in page. */
const ASSET = /^\/(_next\/|icon\.svg$|favicon\.ico$)/;

/** Whether a path fits a pattern with `:param` segments (or a trailing `/*`). */
export function matchesPath(pattern: string, path: string): boolean {
  if (pattern.endsWith("/*")) return path.startsWith(pattern.slice(0, -1));
  const want = pattern.split("/");
  const have = path.split("/");
  return (
    want.length === have.length && want.every((part, i) => part.startsWith(":") || part === have[i])
  );
}

/** API paths answer 401/403 as JSON; other paths are pages (redirected to sign in). */
export const isApiPath = (path: string) =>
  path === "/api" || path.startsWith("/api/") || path === "/metrics";

/** The access a rule of the table gives this request; undefined when no rule names it. */
export function listedAccess(method: string, path: string): Access | undefined {
  const rules = isApiPath(path) ? API_RULES : PAGE_RULES;
  const rule = rules.find((candidate) => matchesPath(candidate.path, path));
  const verb = (method === "HEAD" ? "GET" : method) as Method;
  return rule ? (rule.access[verb] ?? rule.access["*"]) : undefined;
}

/** What a request needs, by method and (decoded, query-free) path; unlisted API = admin. */
export function accessFor(method: string, path: string): Access {
  if (ASSET.test(path)) return "public";
  return listedAccess(method, path) ?? (isApiPath(path) ? "admin" : "viewer");
}
