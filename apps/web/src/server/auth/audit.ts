import type { AuditEvent } from "@fleetstream/contracts";
import type { PrismaClient } from "@fleetstream/db";
import type { z } from "zod";
import { matchesPath } from "./policy";
import { actorId, type Principal } from "./roles";

// The audit log: who created, changed or deleted a geofence, webhook endpoint, user or API key,
// and when. Append-only; admins read it in the dashboard (Admin → Audit log) or GET /api/audit.

export interface AuditEntry {
  action: string;
  targetType: "geofence" | "webhook-endpoint" | "webhook-delivery" | "user" | "api-key";
  targetId?: string | null;
  detail?: Record<string, unknown>;
}

export function createAuditLog(prisma: PrismaClient) {
  return {
    async record(actor: Principal, entry: AuditEntry): Promise<void> {
      await prisma.auditEvent.create({
        data: {
          at: new Date(),
          actorId: actorId(actor),
          actorLabel: actor.label,
          action: entry.action,
          targetType: entry.targetType,
          targetId: entry.targetId ?? null,
          detail: (entry.detail ?? {}) as object,
        },
      });
    },

    /** Newest first; `before` (an id) pages back. */
    async list(options: {
      limit: number;
      before?: string | undefined;
    }): Promise<z.infer<typeof AuditEvent>[]> {
      const rows = await prisma.auditEvent.findMany({
        ...(options.before ? { where: { id: { lt: BigInt(options.before) } } } : {}),
        orderBy: { id: "desc" },
        take: options.limit,
      });
      return rows.map((row) => ({
        id: row.id.toString(),
        at: row.at.toISOString(),
        actorId: row.actorId,
        actorLabel: row.actorLabel,
        action: row.action,
        targetType: row.targetType,
        targetId: row.targetId,
        detail: row.detail,
      }));
    },
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;

/** The changes the audit log records: a successful write to one of these routes. */
const AUDITED: readonly {
  method: string;
  path: string;
  action: string;
  targetType: AuditEntry["targetType"];
}[] = [
  { method: "POST", path: "/api/geofences", action: "geofence.create", targetType: "geofence" },
  { method: "PUT", path: "/api/geofences/:id", action: "geofence.update", targetType: "geofence" },
  {
    method: "PATCH",
    path: "/api/geofences/:id",
    action: "geofence.update",
    targetType: "geofence",
  },
  {
    method: "DELETE",
    path: "/api/geofences/:id",
    action: "geofence.delete",
    targetType: "geofence",
  },
  {
    method: "POST",
    path: "/api/webhooks/endpoints",
    action: "webhook-endpoint.create",
    targetType: "webhook-endpoint",
  },
  ...["PUT", "PATCH"].map((method) => ({
    method,
    path: "/api/webhooks/endpoints/:id",
    action: "webhook-endpoint.update",
    targetType: "webhook-endpoint" as const,
  })),
  {
    method: "DELETE",
    path: "/api/webhooks/endpoints/:id",
    action: "webhook-endpoint.delete",
    targetType: "webhook-endpoint",
  },
  {
    method: "POST",
    path: "/api/webhooks/endpoints/:id/rotate-secret",
    action: "webhook-endpoint.rotate-secret",
    targetType: "webhook-endpoint",
  },
  {
    method: "POST",
    path: "/api/webhooks/endpoints/:id/redeliver-failed",
    action: "webhook-endpoint.redeliver-failed",
    targetType: "webhook-endpoint",
  },
  {
    method: "POST",
    path: "/api/webhooks/deliveries/:id/redeliver",
    action: "webhook-delivery.redeliver",
    targetType: "webhook-delivery",
  },
  { method: "POST", path: "/api/keys", action: "api-key.create", targetType: "api-key" },
  { method: "DELETE", path: "/api/keys/:id", action: "api-key.revoke", targetType: "api-key" },
];

/**
 * The audit entry for a successful request, or undefined when it changes nothing audited. The
 * target is the route's `:id`, or for a create the `id` of what the response returns.
 */
export function auditEntryFor(
  method: string,
  path: string,
  params: Record<string, string>,
  responseBody: unknown,
): AuditEntry | undefined {
  const rule = AUDITED.find((r) => r.method === method && matchesPath(r.path, path));
  if (!rule) return undefined;
  const body = (responseBody ?? {}) as {
    id?: unknown;
    name?: unknown;
    key?: { id?: unknown; name?: unknown };
  };
  const created = body.key ?? body;
  const targetId = params.id ?? (typeof created.id === "string" ? created.id : null);
  const name = typeof created.name === "string" ? created.name : undefined;
  return {
    action: rule.action,
    targetType: rule.targetType,
    targetId,
    ...(name ? { detail: { name } } : {}),
  };
}
