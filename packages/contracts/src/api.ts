import { z } from "zod";
import { createDocument, type ZodOpenApiPathsObject } from "zod-openapi";
import {
  ApiKey,
  ApiKeyCreated,
  ApiKeyInput,
  ApiKeyList,
  AuditList,
  AuditQuery,
  Me,
} from "./access";
import { AcknowledgeInput, AlertAcknowledgement, AlertView } from "./dashboard";
import {
  AlertPage,
  AlertQuery,
  BasemapOutlines,
  FleetWindows,
  GeofenceWindows,
  OutlinesQuery,
  RangeQuery,
  Replay,
  ReplayQuery,
  RoadNetwork,
  TruckDetail,
  TruckList,
  TruckListQuery,
  TruckTrailAnswer,
  TruckWindows,
} from "./dashboard-api";
import { Geofence, GeofenceInput } from "./geofence";
import {
  ApiError,
  DeliveryListQuery,
  RedeliverFailedInput,
  RedeliverFailedResult,
  WebhookAttempt,
  WebhookDelivery,
  WebhookDeliveryList,
  WebhookEndpoint,
  WebhookEndpointCreated,
  WebhookEndpointInput,
  WebhookEndpointList,
  WebhookEndpointPatch,
  WebhookSecretRotated,
} from "./webhooks";

/**
 * The web app's REST API, one entry per route and method: what it takes and what it answers.
 * The OpenAPI document served at /api/contracts/openapi.json is generated from this table, and a
 * unit test checks the table against the route files under apps/web/src/app/api, both ways.
 */
export type HttpMethod = "get" | "post" | "put" | "patch" | "delete";

export interface ApiResponseSpec {
  description: string;
  /** JSON body; absent for 204. */
  schema?: z.ZodType;
}

export interface ApiRoute {
  method: HttpMethod;
  /** OpenAPI style: /api/webhooks/endpoints/{id} */
  path: string;
  summary: string;
  tag:
    | "alerts"
    | "trucks"
    | "windows"
    | "basemap"
    | "geofences"
    | "webhooks"
    | "contracts"
    | "access"
    | "health";
  query?: z.ZodObject;
  body?: z.ZodType;
  responses: Record<number, ApiResponseSpec>;
}

const ok = (schema: z.ZodType, description = "OK"): ApiResponseSpec => ({ description, schema });
const error = (description: string): ApiResponseSpec => ({ description, schema: ApiError });
const BAD_REQUEST = error("Invalid input: `error` names the first problem, `problems` all of them");
const NOT_FOUND = error("No such id");
const NO_DATABASE = error("The web server runs without a database");
// Every route but health answers these too (see openApiDocument): no credentials, too low a role.
const UNAUTHORIZED = error("No session cookie and no valid API key");
const FORBIDDEN = error("The caller's role may not do this (the message names the role needed)");

export const HealthStatus = z.strictObject({
  status: z.enum(["ok", "unavailable"]),
  checks: z.record(z.string(), z.strictObject({ ok: z.boolean(), detail: z.string().optional() })),
});

export const GeofenceList = z.strictObject({ geofences: z.array(Geofence) });
export const SchemaList = z.strictObject({
  schemas: z.array(
    z.strictObject({
      name: z.string(),
      kind: z.enum(["topic", "webhook"]),
      description: z.string(),
      url: z.string(),
    }),
  ),
});

export const API_ROUTES: readonly ApiRoute[] = [
  {
    method: "get",
    path: "/api/health",
    summary: "Readiness: 200 while every live feed runs, 503 naming the failed check",
    tag: "health",
    responses: { 200: ok(HealthStatus), 503: { description: "Not ready", schema: HealthStatus } },
  },
  // ---- geofences
  {
    method: "get",
    path: "/api/geofences",
    summary: "List geofences, optionally those with a tag",
    tag: "geofences",
    query: z.strictObject({ tag: z.string().optional() }),
    responses: { 200: ok(GeofenceList), 503: NO_DATABASE },
  },
  {
    method: "post",
    path: "/api/geofences",
    summary: "Create a geofence",
    tag: "geofences",
    body: GeofenceInput,
    responses: { 201: ok(Geofence, "Created"), 400: BAD_REQUEST, 503: NO_DATABASE },
  },
  {
    method: "get",
    path: "/api/geofences/{id}",
    summary: "One geofence",
    tag: "geofences",
    responses: { 200: ok(Geofence), 404: NOT_FOUND, 503: NO_DATABASE },
  },
  {
    method: "put",
    path: "/api/geofences/{id}",
    summary: "Replace a geofence (version + 1, effective now)",
    tag: "geofences",
    body: GeofenceInput,
    responses: { 200: ok(Geofence), 400: BAD_REQUEST, 404: NOT_FOUND, 503: NO_DATABASE },
  },
  {
    method: "delete",
    path: "/api/geofences/{id}",
    summary: "Delete a geofence",
    tag: "geofences",
    responses: { 204: { description: "Deleted" }, 404: NOT_FOUND, 503: NO_DATABASE },
  },
  {
    method: "get",
    path: "/api/geofences/{id}/windows",
    summary: "The fence's speed windows, stored and live (default: the hour to the newest)",
    tag: "windows",
    query: RangeQuery,
    responses: { 200: ok(GeofenceWindows), 400: BAD_REQUEST, 404: NOT_FOUND, 503: NO_DATABASE },
  },
  // ---- alerts
  {
    method: "get",
    path: "/api/alerts",
    summary: "Alert history, newest first, one page at a time (pass `next` as `before`)",
    tag: "alerts",
    query: AlertQuery,
    responses: { 200: ok(AlertPage), 400: BAD_REQUEST, 503: NO_DATABASE },
  },
  {
    method: "get",
    path: "/api/alerts/{id}",
    summary: "One alert, stored or seen live and not stored yet",
    tag: "alerts",
    responses: { 200: ok(AlertView), 404: NOT_FOUND, 503: NO_DATABASE },
  },
  {
    method: "post",
    path: "/api/alerts/{id}/acknowledgement",
    summary: "Acknowledge an alert; the first acknowledgement wins and is answered",
    tag: "alerts",
    body: AcknowledgeInput,
    responses: {
      200: ok(AlertAcknowledgement),
      400: BAD_REQUEST,
      404: NOT_FOUND,
      503: NO_DATABASE,
    },
  },
  // ---- trucks
  {
    method: "get",
    path: "/api/trucks",
    summary: "The live fleet with each truck's status (moving, stopped, offline)",
    tag: "trucks",
    query: TruckListQuery,
    responses: { 200: ok(TruckList), 400: BAD_REQUEST },
  },
  {
    method: "get",
    path: "/api/trucks/{id}",
    summary: "A truck's latest fix and status, the fences it is inside, its recent alerts",
    tag: "trucks",
    responses: { 200: ok(TruckDetail), 404: NOT_FOUND, 503: NO_DATABASE },
  },
  {
    method: "get",
    path: "/api/trucks/{id}/trail",
    summary: "A truck's stored fixes in a range (default: the hour to its latest fix)",
    tag: "trucks",
    query: RangeQuery,
    responses: { 200: ok(TruckTrailAnswer), 400: BAD_REQUEST, 404: NOT_FOUND, 503: NO_DATABASE },
  },
  {
    method: "get",
    path: "/api/trucks/{id}/windows",
    summary: "A truck's tumbling speed windows, stored and live",
    tag: "windows",
    query: RangeQuery,
    responses: { 200: ok(TruckWindows), 400: BAD_REQUEST, 404: NOT_FOUND, 503: NO_DATABASE },
  },
  {
    method: "get",
    path: "/api/windows/fleet",
    summary: "Fleet-wide speed windows with the fleet's highest speed in each",
    tag: "windows",
    query: RangeQuery,
    responses: { 200: ok(FleetWindows), 400: BAD_REQUEST, 503: NO_DATABASE },
  },
  {
    method: "get",
    path: "/api/replay",
    summary: "Trails and alerts of up to 20 trucks over up to a day, for replay",
    tag: "trucks",
    query: ReplayQuery,
    responses: { 200: ok(Replay), 400: BAD_REQUEST, 404: NOT_FOUND, 503: NO_DATABASE },
  },
  // ---- basemap
  {
    method: "get",
    path: "/api/basemap/outlines",
    summary: "Natural Earth land and borders clipped to a box (GeoJSON), for the offline map",
    tag: "basemap",
    query: OutlinesQuery,
    responses: { 200: ok(BasemapOutlines), 400: BAD_REQUEST },
  },
  {
    method: "get",
    path: "/api/basemap/roads",
    summary: "The simulator's road network (GeoJSON); 404 when the built-in region is not in use",
    tag: "basemap",
    responses: { 200: ok(RoadNetwork), 404: error("No road network in use") },
  },
  // ---- webhooks
  {
    method: "get",
    path: "/api/webhooks/endpoints",
    summary: "List webhook endpoints with their delivery health",
    tag: "webhooks",
    responses: { 200: ok(WebhookEndpointList), 503: NO_DATABASE },
  },
  {
    method: "post",
    path: "/api/webhooks/endpoints",
    summary: "Register an endpoint; the answer holds its signing secret, shown this once",
    tag: "webhooks",
    body: WebhookEndpointInput,
    responses: { 201: ok(WebhookEndpointCreated, "Created"), 400: BAD_REQUEST, 503: NO_DATABASE },
  },
  {
    method: "get",
    path: "/api/webhooks/endpoints/{id}",
    summary: "One endpoint",
    tag: "webhooks",
    responses: { 200: ok(WebhookEndpoint), 404: NOT_FOUND, 503: NO_DATABASE },
  },
  {
    method: "patch",
    path: "/api/webhooks/endpoints/{id}",
    summary: "Change an endpoint (enabling it again clears the reason it was disabled)",
    tag: "webhooks",
    body: WebhookEndpointPatch,
    responses: { 200: ok(WebhookEndpoint), 400: BAD_REQUEST, 404: NOT_FOUND, 503: NO_DATABASE },
  },
  {
    method: "delete",
    path: "/api/webhooks/endpoints/{id}",
    summary: "Delete an endpoint with its deliveries and log",
    tag: "webhooks",
    responses: { 204: { description: "Deleted" }, 404: NOT_FOUND, 503: NO_DATABASE },
  },
  {
    method: "post",
    path: "/api/webhooks/endpoints/{id}/rotate-secret",
    summary: "New signing secret; the previous one keeps signing for 24 hours",
    tag: "webhooks",
    responses: { 200: ok(WebhookSecretRotated), 404: NOT_FOUND, 503: NO_DATABASE },
  },
  {
    method: "post",
    path: "/api/webhooks/endpoints/{id}/test",
    summary: "Queue a webhook.test delivery to the endpoint",
    tag: "webhooks",
    responses: {
      202: ok(WebhookDelivery, "Queued"),
      404: NOT_FOUND,
      409: error("The endpoint is disabled"),
      503: NO_DATABASE,
    },
  },
  {
    method: "get",
    path: "/api/webhooks/endpoints/{id}/deliveries",
    summary: "The endpoint's delivery log, newest first, with every attempt",
    tag: "webhooks",
    query: DeliveryListQuery,
    responses: {
      200: ok(WebhookDeliveryList),
      400: BAD_REQUEST,
      404: NOT_FOUND,
      503: NO_DATABASE,
    },
  },
  {
    method: "post",
    path: "/api/webhooks/endpoints/{id}/redeliver-failed",
    summary: "Send every failed delivery created since a time again",
    tag: "webhooks",
    body: RedeliverFailedInput,
    responses: {
      202: ok(RedeliverFailedResult, "Queued"),
      400: BAD_REQUEST,
      404: NOT_FOUND,
      409: error("The endpoint is disabled"),
      503: NO_DATABASE,
    },
  },
  {
    method: "get",
    path: "/api/webhooks/deliveries/{id}",
    summary: "One delivery (id = its webhook-id) with every attempt",
    tag: "webhooks",
    responses: { 200: ok(WebhookDelivery), 404: NOT_FOUND, 503: NO_DATABASE },
  },
  {
    method: "post",
    path: "/api/webhooks/deliveries/{id}/redeliver",
    summary: "Send a delivery again (same webhook-id)",
    tag: "webhooks",
    responses: {
      202: ok(WebhookDelivery, "Queued"),
      404: NOT_FOUND,
      409: error("The endpoint is disabled, or the delivery is being sent right now"),
      503: NO_DATABASE,
    },
  },
  // ---- contracts
  {
    method: "get",
    path: "/api/contracts/openapi.json",
    summary: "This document",
    tag: "contracts",
    responses: { 200: ok(z.record(z.string(), z.unknown())) },
  },
  {
    method: "get",
    path: "/api/contracts/schemas",
    summary: "JSON Schemas of every topic's records and every webhook payload",
    tag: "contracts",
    responses: { 200: ok(SchemaList) },
  },
  {
    method: "get",
    path: "/api/contracts/schemas/{name}",
    summary: "One JSON Schema (draft 2020-12), by topic name or webhook event type",
    tag: "contracts",
    responses: { 200: ok(z.record(z.string(), z.unknown())), 404: NOT_FOUND },
  },
  // ---- access
  {
    method: "get",
    path: "/api/me",
    summary: "Who this session or API key is, and its role",
    tag: "access",
    responses: { 200: ok(Me) },
  },
  {
    method: "get",
    path: "/api/keys",
    summary: "API keys (never their tokens); admins",
    tag: "access",
    responses: { 200: ok(ApiKeyList), 503: NO_DATABASE },
  },
  {
    method: "post",
    path: "/api/keys",
    summary: "Create an API key with a role; its token is in this answer only",
    tag: "access",
    body: ApiKeyInput,
    responses: { 201: ok(ApiKeyCreated, "Created"), 400: BAD_REQUEST, 503: NO_DATABASE },
  },
  {
    method: "delete",
    path: "/api/keys/{id}",
    summary: "Revoke an API key at once (its open connections are closed)",
    tag: "access",
    responses: { 200: ok(ApiKey), 404: NOT_FOUND, 503: NO_DATABASE },
  },
  {
    method: "get",
    path: "/api/audit",
    summary: "Who created, changed or deleted geofences, webhook endpoints, users and keys",
    tag: "access",
    query: AuditQuery,
    responses: { 200: ok(AuditList), 400: BAD_REQUEST, 503: NO_DATABASE },
  },
];

/** Reused schemas, shown once under components.schemas and referenced from the paths. */
const COMPONENTS = {
  ApiError,
  AlertView,
  Geofence,
  GeofenceInput,
  WebhookEndpoint,
  WebhookEndpointInput,
  WebhookEndpointPatch,
  WebhookDelivery,
  WebhookAttempt,
};

const pathParams = (path: string) => [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);

/** The OpenAPI 3.1 document of API_ROUTES. */
export function openApiDocument(): ReturnType<typeof createDocument> {
  const paths: ZodOpenApiPathsObject = {};
  for (const route of API_ROUTES) {
    const params = pathParams(route.path);
    const item = paths[route.path] ?? {};
    paths[route.path] = item;
    item[route.method] = {
      summary: route.summary,
      tags: [route.tag],
      // Health is open; everything else needs a session cookie or an API key.
      ...(route.tag === "health" ? { security: [] } : {}),
      requestParams: {
        ...(params.length > 0
          ? { path: z.strictObject(Object.fromEntries(params.map((p) => [p, z.string()]))) }
          : {}),
        ...(route.query ? { query: route.query } : {}),
      },
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: { "application/json": { schema: route.body } },
            },
          }
        : {}),
      responses: Object.fromEntries(
        Object.entries({
          ...route.responses,
          ...(route.tag === "health" ? {} : { 401: UNAUTHORIZED, 403: FORBIDDEN }),
        }).map(([status, response]) => [
          status,
          {
            description: response.description,
            ...(response.schema
              ? { content: { "application/json": { schema: response.schema } } }
              : {}),
          },
        ]),
      ),
    };
  }
  return createDocument({
    openapi: "3.1.0",
    info: {
      title: "Fleetstream REST API",
      version: "1",
      description:
        "Geofences, alerts, trucks, speed windows, alert webhooks and the contracts of the " +
        "Kafka topics. Times are epoch milliseconds (queries also take ISO 8601). Errors answer " +
        '{"error": "...", "problems": [...]} naming the field. Webhook deliveries follow ' +
        "Standard Webhooks; their payload schemas are under /api/contracts/schemas.",
    },
    paths,
    components: {
      schemas: COMPONENTS,
      securitySchemes: {
        apiKey: {
          type: "http",
          scheme: "bearer",
          description: "An API key (fsk_…) created by an admin under Admin → API keys",
        },
        session: {
          type: "apiKey",
          in: "cookie",
          name: "better-auth.session_token",
          description: "The dashboard's session, from POST /api/auth/sign-in/email",
        },
      },
    },
    security: [{ apiKey: [] }, { session: [] }],
  });
}
