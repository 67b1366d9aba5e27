import "server-only";
import { webhookApi } from "../../../../../../lib/webhooks/http";
import { getWebhookStore } from "../../../../../../lib/webhooks/runtime";

// POST: sends the delivery again with the same webhook-id (202).
export const dynamic = "force-dynamic";

const api = webhookApi(getWebhookStore);

type Context = { params: Promise<{ id: string }> };

export async function POST(_request: Request, { params }: Context): Promise<Response> {
  return api.redeliver((await params).id);
}
