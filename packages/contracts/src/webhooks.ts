import { z } from "zod";
import { GeofenceAlert, GeofenceAlertKind, GeofenceId, userText } from "./geofence";
import { TruckId } from "./gps-fix";

/**
 * Alert webhooks (issue 10): the REST API's inputs and answers under /api/webhooks, and the
 * payloads integrators receive. Deliveries follow Standard Webhooks (standardwebhooks.com):
 * headers `webhook-id` (the delivery id, the same on every attempt), `webhook-timestamp`,
 * `webhook-signature` (`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, space-separated when
 * two secrets sign during a rotation).
 *
 * Times in the REST API are ISO 8601 strings (UTC); in the alert itself epoch ms, as on the topic.
 */

const IsoTime = z.iso.datetime({ offset: true });

// ---- payloads (what an endpoint receives) ----------------------------------------------------

export const ALERT_EVENT_TYPES = [
  "geofence.enter",
  "geofence.exit",
  "geofence.dwell",
  "geofence.crossed",
  "geofence.overspeed",
] as const;
export type AlertEventType = (typeof ALERT_EVENT_TYPES)[number];
export const TEST_EVENT_TYPE = "webhook.test";
export const WEBHOOK_EVENT_TYPES = [...ALERT_EVENT_TYPES, TEST_EVENT_TYPE] as const;
export const WebhookEventType = z.enum(WEBHOOK_EVENT_TYPES);
export type WebhookEventType = z.infer<typeof WebhookEventType>;

/** geofence.enter for ENTER, …: the payload `type` of an alert kind. */
export const alertEventType = (kind: GeofenceAlertKind): AlertEventType =>
  `geofence.${kind.toLowerCase()}` as AlertEventType;

/** Where the truck was last seen: the newest of the alert's fix and the truck's stored position. */
export const TruckLastPosition = z.strictObject({
  lat: z.number(),
  lon: z.number(),
  speedKmh: z.number(),
  /** Known when the position comes from the truck's stored fix; null from the alert alone. */
  headingDeg: z.number().nullable(),
  /** Event time of that fix, epoch ms. */
  eventTime: z.int().min(0),
  seq: z.int().min(0),
});
export type TruckLastPosition = z.infer<typeof TruckLastPosition>;

export const AlertWebhookData = z.strictObject({
  /** The alert exactly as on the topic truck_geofence_alerts. */
  alert: GeofenceAlert,
  /** The fence as the web API holds it when the delivery was created (name null if deleted). */
  geofence: z.strictObject({
    id: GeofenceId,
    name: z.string().nullable(),
    tags: z.array(z.string()),
  }),
  truck: z.strictObject({ id: TruckId, lastPosition: TruckLastPosition }),
});
export type AlertWebhookData = z.infer<typeof AlertWebhookData>;

const alertPayload = <T extends AlertEventType>(type: T) =>
  z.strictObject({
    type: z.literal(type),
    /** When the alert happened: its event time, ISO 8601. */
    timestamp: IsoTime,
    data: AlertWebhookData,
  });

export const GeofenceEnterPayload = alertPayload("geofence.enter");
export const GeofenceExitPayload = alertPayload("geofence.exit");
export const GeofenceDwellPayload = alertPayload("geofence.dwell");
export const GeofenceCrossedPayload = alertPayload("geofence.crossed");
export const GeofenceOverspeedPayload = alertPayload("geofence.overspeed");

export const TestWebhookPayload = z.strictObject({
  type: z.literal(TEST_EVENT_TYPE),
  timestamp: IsoTime,
  data: z.strictObject({
    endpointId: z.string(),
    message: z.string(),
    /** What a geofence.enter delivery's data looks like (made-up truck and fence). */
    example: AlertWebhookData,
  }),
});

/** Every body a webhook endpoint receives, by `type`. */
export const WebhookPayload = z.discriminatedUnion("type", [
  GeofenceEnterPayload,
  GeofenceExitPayload,
  GeofenceDwellPayload,
  GeofenceCrossedPayload,
  GeofenceOverspeedPayload,
  TestWebhookPayload,
]);
export type WebhookPayload = z.infer<typeof WebhookPayload>;

/** The payload schema of each event type (JSON Schemas are served per type). */
export const WEBHOOK_PAYLOAD_SCHEMAS = {
  "geofence.enter": GeofenceEnterPayload,
  "geofence.exit": GeofenceExitPayload,
  "geofence.dwell": GeofenceDwellPayload,
  "geofence.crossed": GeofenceCrossedPayload,
  "geofence.overspeed": GeofenceOverspeedPayload,
  "webhook.test": TestWebhookPayload,
} as const satisfies Record<WebhookEventType, z.ZodType>;

// ---- endpoints (REST API) --------------------------------------------------------------------

/** A Standard Webhooks signing secret: "whsec_" + base64 of 24–64 random bytes. */
export const WebhookSecret = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/, "a secret looks like whsec_ + base64");

/** Headers the dispatcher sets itself; an endpoint's custom headers may not replace them. */
export const RESERVED_HEADERS = [
  "webhook-id",
  "webhook-timestamp",
  "webhook-signature",
  "content-type",
  "content-length",
  "host",
  "connection",
  "keep-alive",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
  "expect",
  "proxy-authorization",
  "proxy-connection",
] as const;

const HeaderName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, "a header name is letters, digits and !#$%&'*+.^_`|~-")
  .refine((name) => !(RESERVED_HEADERS as readonly string[]).includes(name.toLowerCase()), {
    message: `reserved header (the dispatcher sets ${RESERVED_HEADERS.slice(0, 4).join(", ")}, …)`,
  });
const HeaderValue = z
  .string()
  .max(1_000)
  .regex(/^[\t\x20-\x7e]*$/, "a header value is printable ASCII on one line");

const Prefix = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/, "truck id prefix may hold letters, digits and _ . : - only");

const filterShape = {
  /** Alert kinds to send; empty = every kind. */
  alertKinds: z.array(GeofenceAlertKind).max(5),
  /** A fence matches if its id is listed or it has one of the tags; both empty = every fence. */
  geofenceIds: z.array(GeofenceId).max(1_000),
  geofenceTags: z.array(userText(z.string().trim().min(1).max(64))).max(100),
  /** A truck matches if listed or its id starts with the prefix; both empty = every truck. */
  truckIds: z.array(TruckId).max(10_000),
  truckIdPrefix: Prefix.nullable(),
};

export const WebhookFilters = z.strictObject(filterShape);
export type WebhookFilters = z.infer<typeof WebhookFilters>;

export const NO_FILTERS: WebhookFilters = {
  alertKinds: [],
  geofenceIds: [],
  geofenceTags: [],
  truckIds: [],
  truckIdPrefix: null,
};

const endpointShape = {
  /** https://…; http and internal addresses only for hosts on WEBHOOK_ALLOWED_TARGETS. */
  url: userText(z.string().trim().min(1, "url must not be empty").max(2_000)),
  description: userText(z.string().trim().max(500)),
  enabled: z.boolean(),
  filters: z.strictObject({
    alertKinds: filterShape.alertKinds.default([]),
    geofenceIds: filterShape.geofenceIds.default([]),
    geofenceTags: filterShape.geofenceTags.default([]),
    truckIds: filterShape.truckIds.default([]),
    truckIdPrefix: filterShape.truckIdPrefix.default(null),
  }),
  /** Extra request headers (e.g. an API key of the receiving system), at most 20. */
  headers: z
    .record(HeaderName, HeaderValue)
    .refine((headers) => Object.keys(headers).length <= 20, "at most 20 custom headers"),
  /** Most deliveries per second to this endpoint; null = no limit. */
  rateLimitPerSecond: z.int().min(1).max(10_000).nullable(),
};

/** POST /api/webhooks/endpoints */
export const WebhookEndpointInput = z.strictObject({
  url: endpointShape.url,
  description: endpointShape.description.default(""),
  enabled: endpointShape.enabled.default(true),
  filters: endpointShape.filters.default(NO_FILTERS),
  headers: endpointShape.headers.default({}),
  rateLimitPerSecond: endpointShape.rateLimitPerSecond.default(null),
});
export type WebhookEndpointInput = z.input<typeof WebhookEndpointInput>;
export type WebhookEndpointSettings = z.output<typeof WebhookEndpointInput>;

/** PATCH /api/webhooks/endpoints/{id}: the fields to change. Enabling clears the disable reason. */
export const WebhookEndpointPatch = z.strictObject({
  url: endpointShape.url.optional(),
  description: endpointShape.description.optional(),
  enabled: endpointShape.enabled.optional(),
  filters: endpointShape.filters.optional(),
  headers: endpointShape.headers.optional(),
  rateLimitPerSecond: endpointShape.rateLimitPerSecond.optional(),
});
export type WebhookEndpointPatch = z.input<typeof WebhookEndpointPatch>;

export const DisabledReason = z.enum(["manual", "gone", "failing"]);
export type DisabledReason = z.infer<typeof DisabledReason>;

/** Delivery health of an endpoint over the last 24 hours. */
export const WebhookEndpointStats = z.strictObject({
  attempts24h: z.int().min(0),
  succeeded24h: z.int().min(0),
  /** succeeded / attempts over the last 24 h, 0…1; null without attempts. */
  successRate24h: z.number().min(0).max(1).nullable(),
  /** Deliveries waiting to be sent or retried. */
  pending: z.int().min(0),
  lastSuccessAt: IsoTime.nullable(),
  lastFailureAt: IsoTime.nullable(),
  lastError: z.string().nullable(),
  /** First failure since the last success; the endpoint is disabled once this is too long ago. */
  failingSince: IsoTime.nullable(),
});

/** An endpoint as the API shows it (never with its secret). */
export const WebhookEndpoint = z.strictObject({
  id: z.uuid(),
  url: z.string(),
  description: z.string(),
  enabled: z.boolean(),
  disabledReason: DisabledReason.nullable(),
  disabledAt: IsoTime.nullable(),
  filters: WebhookFilters,
  headers: z.record(z.string(), z.string()),
  rateLimitPerSecond: z.int().nullable(),
  /** Until then the secret before the last rotation still signs too. */
  previousSecretExpiresAt: IsoTime.nullable(),
  createdAt: IsoTime,
  updatedAt: IsoTime,
  stats: WebhookEndpointStats,
});
export type WebhookEndpoint = z.infer<typeof WebhookEndpoint>;

export const WebhookEndpointList = z.strictObject({ endpoints: z.array(WebhookEndpoint) });
export type WebhookEndpointList = z.infer<typeof WebhookEndpointList>;

/** The answer to a create: the only time the secret is shown, with the one to rotate. */
export const WebhookEndpointCreated = z.strictObject({
  endpoint: WebhookEndpoint,
  secret: WebhookSecret,
});
export type WebhookEndpointCreated = z.infer<typeof WebhookEndpointCreated>;

export const WebhookSecretRotated = z.strictObject({
  secret: WebhookSecret,
  /** The secret before this one keeps signing (both signatures are sent) until then. */
  previousSecretExpiresAt: IsoTime,
});

// ---- deliveries and the log ------------------------------------------------------------------

export const DeliveryStatus = z.enum(["pending", "succeeded", "failed"]);
export type DeliveryStatus = z.infer<typeof DeliveryStatus>;

export const WebhookAttempt = z.strictObject({
  attemptedAt: IsoTime,
  /** HTTP status; null when no response came (refused, timeout, blocked address). */
  statusCode: z.int().nullable(),
  latencyMs: z.int().min(0),
  succeeded: z.boolean(),
  /** The first 1 KB of the response body. */
  responseBody: z.string().nullable(),
  error: z.string().nullable(),
});
export type WebhookAttempt = z.infer<typeof WebhookAttempt>;

export const WebhookDelivery = z.strictObject({
  /** The webhook-id header: the same on every attempt and redelivery. */
  id: z.string(),
  endpointId: z.uuid(),
  /** The alert id, or test_<uuid> for a test event. */
  eventId: z.string(),
  eventType: WebhookEventType,
  status: DeliveryStatus,
  attempts: z.int().min(0),
  /** When the next attempt is due (pending only). */
  nextAttemptAt: IsoTime.nullable(),
  lastAttemptAt: IsoTime.nullable(),
  lastStatusCode: z.int().nullable(),
  lastError: z.string().nullable(),
  createdAt: IsoTime,
  finishedAt: IsoTime.nullable(),
  /** Every attempt, oldest first. */
  attemptLog: z.array(WebhookAttempt),
  /** The body sent, as JSON. */
  payload: z.unknown(),
});
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;

export const WebhookDeliveryList = z.strictObject({
  deliveries: z.array(WebhookDelivery),
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: z.string().nullable(),
});
export type WebhookDeliveryList = z.infer<typeof WebhookDeliveryList>;

/** GET /api/webhooks/endpoints/{id}/deliveries query. */
export const DeliveryListQuery = z.strictObject({
  status: DeliveryStatus.optional(),
  /** `nextCursor` of the previous page. */
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** POST /api/webhooks/endpoints/{id}/redeliver-failed */
export const RedeliverFailedInput = z.strictObject({ since: IsoTime });

export const RedeliverFailedResult = z.strictObject({ redelivered: z.int().min(0) });

/** Every error answer of the REST API: one line naming the problem, and each problem found. */
export const ApiError = z.strictObject({
  error: z.string(),
  /** The first field the problem is about, as a dotted path ("url", "filters.alertKinds"). */
  field: z.string().optional(),
  problems: z.array(z.string()).optional(),
});
export type ApiError = z.infer<typeof ApiError>;
