import {
  type DeliveryStatus,
  type WebhookAttempt as WebhookAttemptView,
  WebhookDelivery,
} from "@fleetstream/contracts";
import type { Prisma } from "@fleetstream/db";
import { deliveryId } from "./signing";

/** A new delivery row, due now; its id is the webhook-id (see `deliveryId`). */
export function newDelivery(parts: {
  endpointId: string;
  eventId: string;
  type: string;
  body: string;
  now: Date;
}): Prisma.WebhookDeliveryCreateManyInput {
  return {
    id: deliveryId(parts.endpointId, parts.eventId),
    endpointId: parts.endpointId,
    eventId: parts.eventId,
    eventType: parts.type,
    payload: parts.body,
    status: "pending" satisfies DeliveryStatus,
    nextAttemptAt: parts.now,
    createdAt: parts.now,
  };
}

export type DeliveryRow = Prisma.WebhookDeliveryGetPayload<{ include: { attemptLog: true } }>;

const iso = (date: Date | null) => (date ? date.toISOString() : null);

function attemptView(row: DeliveryRow["attemptLog"][number]): WebhookAttemptView {
  return {
    attemptedAt: row.attemptedAt.toISOString(),
    statusCode: row.statusCode,
    latencyMs: row.latencyMs,
    succeeded: row.succeeded,
    responseBody: row.responseBody,
    error: row.error,
  };
}

/** A delivery as the API shows it, attempts oldest first. */
export function deliveryView(row: DeliveryRow): WebhookDelivery {
  let payload: unknown;
  try {
    payload = JSON.parse(row.payload);
  } catch {
    payload = row.payload;
  }
  return WebhookDelivery.parse({
    id: row.id,
    endpointId: row.endpointId,
    eventId: row.eventId,
    eventType: row.eventType,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.status === "pending" ? row.nextAttemptAt.toISOString() : null,
    lastAttemptAt: iso(row.lastAttemptAt),
    lastStatusCode: row.lastStatusCode,
    lastError: row.lastError,
    createdAt: row.createdAt.toISOString(),
    finishedAt: iso(row.finishedAt),
    attemptLog: [...row.attemptLog]
      .sort((a, b) => a.attemptedAt.getTime() - b.attemptedAt.getTime() || Number(a.id - b.id))
      .map(attemptView),
    payload,
  });
}
