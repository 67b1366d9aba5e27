import type {
  ApiError,
  DeliveryStatus,
  WebhookDelivery,
  WebhookDeliveryList,
  WebhookEndpoint,
  WebhookEndpointCreated,
  WebhookEndpointInput,
  WebhookEndpointList,
  WebhookEndpointPatch,
} from "@fleetstream/contracts";

// Browser-side calls of the webhook REST API (types only from the contracts, so no schema
// library reaches the page bundle). Errors carry the API's one-line message.

export class ApiCallError extends Error {
  override name = "ApiCallError";
}

async function call<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(path, {
    ...init,
    headers: init.body ? { "content-type": "application/json" } : {},
    cache: "no-store",
  });
  if (response.status === 204) return undefined as T;
  const body = (await response.json().catch(() => ({}))) as T | ApiError;
  if (!response.ok) {
    const message = (body as ApiError).error ?? `HTTP ${response.status}`;
    throw new ApiCallError(message);
  }
  return body as T;
}

const json = (body: unknown): RequestInit => ({ method: "POST", body: JSON.stringify(body) });

export const webhooksClient = {
  list: () => call<WebhookEndpointList>("/api/webhooks/endpoints").then((r) => r.endpoints),
  create: (input: WebhookEndpointInput) =>
    call<WebhookEndpointCreated>("/api/webhooks/endpoints", json(input)),
  update: (id: string, patch: WebhookEndpointPatch) =>
    call<WebhookEndpoint>(`/api/webhooks/endpoints/${id}`, {
      method: "PATCH",
      body: JSON.stringify(patch),
    }),
  remove: (id: string) => call<void>(`/api/webhooks/endpoints/${id}`, { method: "DELETE" }),
  rotateSecret: (id: string) =>
    call<{ secret: string; previousSecretExpiresAt: string }>(
      `/api/webhooks/endpoints/${id}/rotate-secret`,
      { method: "POST" },
    ),
  sendTest: (id: string) =>
    call<WebhookDelivery>(`/api/webhooks/endpoints/${id}/test`, { method: "POST" }),
  deliveries: (id: string, status?: DeliveryStatus) =>
    call<WebhookDeliveryList>(
      `/api/webhooks/endpoints/${id}/deliveries${status ? `?status=${status}` : ""}`,
    ),
  redeliver: (deliveryId: string) =>
    call<WebhookDelivery>(`/api/webhooks/deliveries/${deliveryId}/redeliver`, { method: "POST" }),
  redeliverFailed: (id: string, since: string) =>
    call<{ redelivered: number }>(
      `/api/webhooks/endpoints/${id}/redeliver-failed`,
      json({ since }),
    ),
};
