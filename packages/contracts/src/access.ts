import { z } from "zod";
import { ROLES } from "./constants";

// Accounts and access: roles, API keys, the audit log (REST: /api/me, /api/keys, /api/audit).
// Users themselves are managed through better-auth's admin API under /api/auth/admin.

export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

export const Me = z.strictObject({
  kind: z.enum(["user", "key"]),
  id: z.string(),
  /** The user's email, or the key's name. */
  label: z.string(),
  role: Role,
});

export const ApiKeyInput = z.strictObject({
  name: z.string().trim().min(1, "name must not be empty").max(100),
  role: Role,
});

export const ApiKey = z.strictObject({
  id: z.string(),
  name: z.string(),
  role: Role,
  /** The token's first characters, to recognise a key. */
  prefix: z.string(),
  createdBy: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type ApiKey = z.infer<typeof ApiKey>;

export const ApiKeyCreated = z.strictObject({
  key: ApiKey,
  /** `fsk_…`: send as `Authorization: Bearer <token>`. Shown this once; only a hash is kept. */
  token: z.string(),
});
export const ApiKeyList = z.strictObject({ keys: z.array(ApiKey) });

export const AuditQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  /** An event id: older events than it (paging back). */
  before: z
    .string()
    .regex(/^\d{1,19}$/, "before must be an audit event id")
    .optional(),
});

export const AuditEvent = z.strictObject({
  id: z.string(),
  at: z.string(),
  /** "user:<id>" or "key:<id>". */
  actorId: z.string(),
  actorLabel: z.string(),
  /** e.g. geofence.create, webhook-endpoint.delete, user.set-role, api-key.revoke. */
  action: z.string(),
  targetType: z.string(),
  targetId: z.string().nullable(),
  detail: z.unknown(),
});
export const AuditList = z.strictObject({ events: z.array(AuditEvent) });
