import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type Database, openDatabase } from "@fleetstream/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiRoutes, concrete } from "../../../test/api-routes";
import { type Accounts, createAccounts, ensureFirstAdmin } from "./accounts";
import { createApiKeyStore } from "./api-keys";
import { createAuditLog } from "./audit";
import { createGate, type Gate } from "./gate";
import { accessFor } from "./policy";
import { PRINCIPAL_HEADER, principalOf, ROLES, type Role, roleAllows } from "./roles";

// The gate in front of a real HTTP server, with better-auth on PGlite: every route × every kind
// of caller gets the status the access table promises. Requests the gate lets through reach a
// stand-in for Next.js that answers 200 with the principal it was handed (the route handlers
// themselves are tested on their own, e.g. http/api.test.ts).

const PASSWORD = "correct horse battery";
let db: Database;
let accounts: Accounts;
let gate: Gate;
let server: Server;
let base: string;
const dropped: string[] = [];
/** Cookie header per role, from signing in through the gate. */
const sessions = {} as Record<Role, string>;
/** API key per role. */
const keys = {} as Record<Role, string>;

async function signIn(email: string, password = PASSWORD) {
  return fetch(`${base}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: base },
    body: JSON.stringify({ email, password }),
  });
}

const cookieOf = (response: Response) =>
  response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(";")[0])
    .join("; ");

beforeAll(async () => {
  db = await openDatabase({ url: "pglite://memory" });
  await db.migrate();
  accounts = createAccounts({ prisma: db.prisma, secret: "s".repeat(32) });
  const apiKeys = createApiKeyStore(db.prisma);
  gate = createGate({
    accounts,
    apiKeys,
    audit: createAuditLog(db.prisma),
    signInPerMinute: 1_000,
    writesPerMinute: 10_000,
    dropSockets: (room) => dropped.push(room),
  });
  server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    gate
      .handle(req, res, path)
      .then((answered) => {
        if (answered) return;
        const principal = principalOf({
          get: (name) => (req.headers[name] as string | undefined) ?? null,
        });
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ reached: true, principal: principal ?? null }));
      })
      .catch((error: unknown) => {
        res.writeHead(500).end(String(error));
      });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  await ensureFirstAdmin(accounts, db.prisma, { email: "admin@test.example", password: PASSWORD });
  for (const role of ROLES) {
    if (role !== "admin") {
      await accounts.api.createUser({
        body: { email: `${role}@test.example`, password: PASSWORD, name: role, role },
      });
    }
    const response = await signIn(`${role}@test.example`);
    expect(response.status).toBe(200);
    sessions[role] = cookieOf(response);
    keys[role] = (await apiKeys.create({ name: `${role} key`, role, createdBy: "test" })).token;
  }
}, 60_000);

afterAll(async () => {
  server?.close();
  await db?.close();
});

type Caller = { name: string; role: Role | null; headers: Record<string, string> };
const callers = (): Caller[] => [
  { name: "no credentials", role: null, headers: {} },
  ...ROLES.map((role) => ({ name: role, role, headers: { cookie: sessions[role] } })),
  ...ROLES.map((role) => ({
    name: `API key (${role})`,
    role,
    headers: { authorization: `Bearer ${keys[role]}` },
  })),
  { name: "revoked-looking key", role: null, headers: { authorization: "Bearer fsk_nope" } },
];

/** What a caller must get: 401 without credentials, 403 below the role, else through. */
function expected(method: string, path: string, role: Role | null): number {
  const access = accessFor(method, path);
  if (access === "public") return 200;
  if (role === null) return 401;
  return roleAllows(role, access) ? 200 : 403;
}

describe("every route × every caller", () => {
  const routes = apiRoutes().filter(([, pattern]) => !pattern.startsWith("/api/auth"));

  it("covers the whole API", () => expect(routes.length).toBeGreaterThan(30));

  it("answers each caller as the access table says", async () => {
    const mismatches: string[] = [];
    for (const [method, pattern] of routes) {
      const path = concrete(pattern);
      for (const caller of callers()) {
        const response = await fetch(`${base}${path}`, {
          method,
          headers: { ...caller.headers, ...(method === "GET" ? {} : { origin: base }) },
        });
        const want = expected(method, path, caller.role);
        if (response.status !== want) {
          mismatches.push(`${method} ${path} as ${caller.name}: ${response.status}, want ${want}`);
        }
        await response.body?.cancel();
      }
    }
    expect(mismatches).toEqual([]);
  }, 60_000);

  it("refuses a write from another site's page, and with a cookie as well as with none", async () => {
    for (const headers of [{ cookie: sessions.admin }, {}] as Record<string, string>[]) {
      const response = await fetch(`${base}/api/geofences`, {
        method: "POST",
        headers: { ...headers, origin: "http://evil.example", "content-type": "text/plain" },
        body: "{}",
      });
      expect(response.status).toBe(403);
      expect((await response.json()).error).toMatch(/cross-site/);
    }
  });

  it("lets a same-site JSON write through", async () => {
    const response = await fetch(`${base}/api/geofences`, {
      method: "POST",
      headers: { cookie: sessions.dispatcher, origin: base, "content-type": "application/json" },
      body: "{}",
    });
    expect(response.status).toBe(200);
    expect((await response.json()).principal).toMatchObject({ role: "dispatcher" });
  });

  it("does not trust a principal header sent by the client", async () => {
    const forged = Buffer.from(
      JSON.stringify({ kind: "user", id: "x", label: "x", role: "admin" }),
    );
    const response = await fetch(`${base}/api/keys`, {
      headers: { [PRINCIPAL_HEADER]: forged.toString("base64url") },
    });
    expect(response.status).toBe(401);
  });

  it("sends pages without a session to the sign-in page, and viewers away from admin pages", async () => {
    const anonymous = await fetch(`${base}/?truck=T-1`, { redirect: "manual" });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get("location")).toBe("/sign-in?next=%2F%3Ftruck%3DT-1");
    const viewer = await fetch(`${base}/admin`, {
      headers: { cookie: sessions.viewer },
      redirect: "manual",
    });
    expect(viewer.status).toBe(303);
    expect((await fetch(`${base}/sign-in`)).status).toBe(200);
  });
});

describe("sessions and keys", () => {
  it("refuses a wrong password", async () => {
    const response = await signIn("viewer@test.example", "wrong password!");
    expect(response.status).toBe(401);
  });

  it("signs out: the cookie stops working and the session's sockets are dropped", async () => {
    const response = await signIn("viewer@test.example");
    const cookie = cookieOf(response);
    expect((await fetch(`${base}/api/me`, { headers: { cookie } })).status).toBe(200);
    const out = await fetch(`${base}/api/auth/sign-out`, {
      method: "POST",
      headers: { cookie, origin: base, "content-type": "application/json" },
      body: "{}",
    });
    expect(out.status).toBe(200);
    expect(dropped.some((room) => room.startsWith("session:"))).toBe(true);
    expect((await fetch(`${base}/api/me`, { headers: { cookie } })).status).toBe(401);
  });

  it("changes a password: the old one stops working and the user's other sessions end", async () => {
    await accounts.api.createUser({
      body: { email: "pat@test.example", password: PASSWORD, name: "Pat", role: "viewer" },
    });
    const here = cookieOf(await signIn("pat@test.example"));
    const elsewhere = cookieOf(await signIn("pat@test.example"));
    const changed = await fetch(`${base}/api/auth/change-password`, {
      method: "POST",
      headers: { cookie: here, origin: base, "content-type": "application/json" },
      body: JSON.stringify({
        currentPassword: PASSWORD,
        newPassword: "a new password 2",
        revokeOtherSessions: true,
      }),
    });
    expect(changed.status).toBe(200);
    expect((await fetch(`${base}/api/me`, { headers: { cookie: elsewhere } })).status).toBe(401);
    expect((await signIn("pat@test.example")).status).toBe(401);
    expect((await signIn("pat@test.example", "a new password 2")).status).toBe(200);
  });

  it("stops a revoked key at once", async () => {
    const store = createApiKeyStore(db.prisma);
    const { key, token } = await store.create({ name: "ci", role: "viewer", createdBy: "test" });
    const headers = { authorization: `Bearer ${token}` };
    expect((await fetch(`${base}/api/trucks`, { headers })).status).toBe(200);
    await store.revoke(key.id);
    expect((await fetch(`${base}/api/trucks`, { headers })).status).toBe(401);
  });

  it("keeps only a hash of a key", async () => {
    const rows = await db.prisma.apiKey.findMany();
    for (const token of Object.values(keys)) {
      expect(JSON.stringify(rows)).not.toContain(token);
    }
  });

  it("audits an admin's change of another user's role and drops that user's sockets", async () => {
    const viewer = await db.prisma.user.findUniqueOrThrow({
      where: { email: "viewer@test.example" },
    });
    const response = await fetch(`${base}/api/auth/admin/set-role`, {
      method: "POST",
      headers: { cookie: sessions.admin, origin: base, "content-type": "application/json" },
      body: JSON.stringify({ userId: viewer.id, role: "dispatcher" }),
    });
    expect(response.status).toBe(200);
    const events = await createAuditLog(db.prisma).list({ limit: 5 });
    expect(events[0]).toMatchObject({
      actorLabel: "admin@test.example",
      action: "user.set-role",
      targetId: viewer.id,
      detail: { role: "dispatcher" },
    });
    expect(dropped).toContain(`user:${viewer.id}`);
  });

  it("audits an admin creating a user, naming the new user", async () => {
    const response = await fetch(`${base}/api/auth/admin/create-user`, {
      method: "POST",
      headers: { cookie: sessions.admin, origin: base, "content-type": "application/json" },
      body: JSON.stringify({
        email: "new@test.example",
        password: PASSWORD,
        name: "New",
        role: "viewer",
      }),
    });
    expect(response.status).toBe(200);
    const user = await db.prisma.user.findUniqueOrThrow({ where: { email: "new@test.example" } });
    const [event] = await createAuditLog(db.prisma).list({ limit: 1 });
    expect(event).toMatchObject({ action: "user.create", targetId: user.id });
    // The password never reaches the audit log.
    expect(JSON.stringify(event)).not.toContain(PASSWORD);
  });

  it("does not let a dispatcher change roles", async () => {
    const response = await fetch(`${base}/api/auth/admin/set-role`, {
      method: "POST",
      headers: { cookie: sessions.dispatcher, origin: base, "content-type": "application/json" },
      body: JSON.stringify({ userId: "anyone", role: "admin" }),
    });
    expect(response.status).toBe(403);
  });
});

describe("rate limits", () => {
  it("answers 429 with Retry-After after too many sign-in attempts from one address", async () => {
    const strict = createGate({
      accounts,
      apiKeys: createApiKeyStore(db.prisma),
      audit: createAuditLog(db.prisma),
      signInPerMinute: 3,
      dropSockets: () => undefined,
    });
    const limited = createServer((req, res) => {
      void strict.handle(req, res, new URL(req.url ?? "/", "http://x").pathname).then((done) => {
        if (!done) res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => limited.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(limited.address() as AddressInfo).port}/api/auth/sign-in/email`;
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: "admin@test.example", password: "guess number i" }),
      });
      statuses.push(response.status);
      if (response.status === 429)
        expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
    }
    limited.close();
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
  });
});
