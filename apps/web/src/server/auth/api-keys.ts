import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { ApiKey } from "@fleetstream/contracts";
import type { PrismaClient } from "@fleetstream/db";
import { isRole, type Principal, type Role } from "./roles";

// API keys for scripts and integrations: `Authorization: Bearer fsk_…`. A key has a name and a
// role, is shown once, and only its SHA-256 is stored (a random 192-bit token needs no slow
// hash: there is nothing to guess from). Revoking is immediate; lookups are not cached.
// Hand-written rather than better-auth's api-key plugin: that ties every key to a user's
// permissions, while ours are named service credentials with a role of their own.

const TOKEN_PREFIX = "fsk_";

export const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

/** Whether a bearer token looks like one of ours (cheap check before a database lookup). */
export const isApiKeyToken = (token: string) =>
  token.startsWith(TOKEN_PREFIX) && token.length < 200;

type ApiKeyRow = Awaited<ReturnType<PrismaClient["apiKey"]["findFirstOrThrow"]>>;

function view(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    name: row.name,
    role: isRole(row.role) ? row.role : "viewer",
    prefix: row.prefix,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}

export function createApiKeyStore(prisma: PrismaClient) {
  return {
    async create(input: { name: string; role: Role; createdBy: string }) {
      const token = `${TOKEN_PREFIX}${randomBytes(24).toString("base64url")}`;
      const row = await prisma.apiKey.create({
        data: {
          id: randomUUID(),
          name: input.name,
          role: input.role,
          prefix: token.slice(0, TOKEN_PREFIX.length + 8),
          tokenHash: hashToken(token),
          createdBy: input.createdBy,
          createdAt: new Date(),
        },
      });
      return { key: view(row), token };
    },

    async list(): Promise<ApiKey[]> {
      const rows = await prisma.apiKey.findMany({ orderBy: { createdAt: "desc" } });
      return rows.map(view);
    },

    /** Revokes a key; null when there is no such key. Revoking twice keeps the first time. */
    async revoke(id: string): Promise<ApiKey | null> {
      const row = await prisma.apiKey.findUnique({ where: { id } });
      if (!row) return null;
      if (row.revokedAt) return view(row);
      return view(await prisma.apiKey.update({ where: { id }, data: { revokedAt: new Date() } }));
    },

    /** The principal of a live key, or undefined for an unknown or revoked token. */
    async verify(token: string): Promise<Principal | undefined> {
      if (!isApiKeyToken(token)) return undefined;
      const row = await prisma.apiKey.findUnique({ where: { tokenHash: hashToken(token) } });
      if (!row || row.revokedAt || !isRole(row.role)) return undefined;
      // Last use to the minute: enough to spot an unused key, one write a minute at most.
      if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
        await prisma.apiKey.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
      }
      return { kind: "key", id: row.id, label: row.name, role: row.role };
    },
  };
}

export type ApiKeyStore = ReturnType<typeof createApiKeyStore>;
