import "server-only";
import { webhookApi } from "../../../../../../lib/webhooks/http";
import { getWebhookStore } from "../../../../../../lib/webhooks/runtime";

// POST: a new signing secret; the previous one keeps signing for 24 hours.
export const dynamic = "force-dynamic";

const api = webhookApi(getWebhookStore);

type Context = { params: Promise<{ id: string }> };

export async function POST(_request: Request, { params }: Context): Promise<Response> {
  return api.rotateSecret((await params).id);
}
