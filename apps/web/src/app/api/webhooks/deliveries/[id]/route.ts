import "server-only";
import { webhookApi } from "../../../../../lib/webhooks/http";
import { getWebhookStore } from "../../../../../lib/webhooks/runtime";

// GET: one delivery (id = its webhook-id) with every attempt.
export const dynamic = "force-dynamic";

const api = webhookApi(getWebhookStore);

type Context = { params: Promise<{ id: string }> };

export async function GET(_request: Request, { params }: Context): Promise<Response> {
  return api.getDelivery((await params).id);
}
