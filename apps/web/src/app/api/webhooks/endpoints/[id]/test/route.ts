import "server-only";
import { webhookApi } from "../../../../../../lib/webhooks/http";
import { getWebhookStore } from "../../../../../../lib/webhooks/runtime";

// POST: queues a webhook.test delivery (202 with the delivery).
export const dynamic = "force-dynamic";

const api = webhookApi(getWebhookStore);

type Context = { params: Promise<{ id: string }> };

export async function POST(_request: Request, { params }: Context): Promise<Response> {
  return api.sendTest((await params).id);
}
