import type { WebhookStore } from "@fleetstream/webhooks";
import { answer, json, readJson, requireDatabase } from "./respond";

// The webhook REST API (/api/webhooks/…) as plain Request → Response functions; the route files
// only bind them, so they are testable without Next.js. Inputs are parsed by the store with the
// contracts' zod schemas (400 names the field); the OpenAPI document lists the same routes.

export type WebhookApi = ReturnType<typeof webhookApi>;

export function webhookApi(getStore: () => WebhookStore | undefined) {
  const store = (): WebhookStore | Response => requireDatabase(getStore(), "the webhook API");

  return {
    /** GET /api/webhooks/endpoints */
    async listEndpoints(): Promise<Response> {
      const s = store();
      if (s instanceof Response) return s;
      return json({ endpoints: await s.list() });
    },
    /** POST /api/webhooks/endpoints → 201 { endpoint, secret } */
    async createEndpoint(request: Request): Promise<Response> {
      const s = store();
      if (s instanceof Response) return s;
      const body = await readJson(request);
      if (!body.ok) return body.response;
      const result = await s.create(body.value);
      const location = result.ok ? `/api/webhooks/endpoints/${result.value.endpoint.id}` : "";
      return answer(result, 201, result.ok ? { location } : {});
    },
    /** GET /api/webhooks/endpoints/:id */
    async getEndpoint(id: string): Promise<Response> {
      const s = store();
      if (s instanceof Response) return s;
      return answer(await s.get(id));
    },
    /** PATCH /api/webhooks/endpoints/:id */
    async updateEndpoint(request: Request, id: string): Promise<Response> {
      const s = store();
      if (s instanceof Response) return s;
      const body = await readJson(request);
      if (!body.ok) return body.response;
      return answer(await s.update(id, body.value));
    },
    /** DELETE /api/webhooks/endpoints/:id → 204 */
    async deleteEndpoint(id: string): Promise<Response> {
      const s = store();
      if (s instanceof Response) return s;
      return answer(await s.remove(id));
    },
    /** POST /api/webhooks/endpoints/:id/rotate-secret */
    async rotateSecret(id: string): Promise<Response> {
      const s = store();
      if (s instanceof Response) return s;
      return answer(await s.rotateSecret(id));
    },
    /** POST /api/webhooks/endpoints/:id/test → 202 */
    async sendTest(id: string): Promise<Response> {
      const s = store();
      if (s instanceof Response) return s;
      return answer(await s.sendTest(id), 202);
    },
    /** GET /api/webhooks/endpoints/:id/deliveries?status=&cursor=&limit= */
    async listDeliveries(request: Request, id: string): Promise<Response> {
      const s = store();
      if (s instanceof Response) return s;
      const query = Object.fromEntries(new URL(request.url).searchParams);
      return answer(await s.listDeliveries(id, query));
    },
    /** POST /api/webhooks/endpoints/:id/redeliver-failed { since } → 202 { redelivered } */
    async redeliverFailed(request: Request, id: string): Promise<Response> {
      const s = store();
      if (s instanceof Response) return s;
      const body = await readJson(request);
      if (!body.ok) return body.response;
      return answer(await s.redeliverFailed(id, body.value), 202);
    },
    /** GET /api/webhooks/deliveries/:id */
    async getDelivery(id: string): Promise<Response> {
      const s = store();
      if (s instanceof Response) return s;
      return answer(await s.getDelivery(id));
    },
    /** POST /api/webhooks/deliveries/:id/redeliver → 202 */
    async redeliver(id: string): Promise<Response> {
      const s = store();
      if (s instanceof Response) return s;
      return answer(await s.redeliver(id), 202);
    },
  };
}
