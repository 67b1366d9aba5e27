import "server-only";
import { webhookApi } from "../../../../../../lib/webhooks/http";
import { getWebhookStore } from "../../../../../../lib/webhooks/runtime";

// GET: the endpoint's delivery log, newest first (?status=pending|succeeded|failed&cursor=&limit=).
export const dynamic = "force-dynamic";

const api = webhookApi(getWebhookStore);

type Context = { params: Promise<{ id: string }> };

export async function GET(request: Request, { params }: Context): Promise<Response> {
  return api.listDeliveries(request, (await params).id);
}
