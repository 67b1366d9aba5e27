import "server-only";
import { webhookApi } from "../../../../lib/webhooks/http";
import { getWebhookStore } from "../../../../lib/webhooks/runtime";

// GET lists webhook endpoints with their delivery health; POST registers one (201 with the
// signing secret, shown this once). Contract: packages/contracts src/api.ts.
export const dynamic = "force-dynamic";

const api = webhookApi(getWebhookStore);

export function GET(): Promise<Response> {
  return api.listEndpoints();
}

export function POST(request: Request): Promise<Response> {
  return api.createEndpoint(request);
}
