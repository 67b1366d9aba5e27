import "server-only";
import { webhookApi } from "../../../../../../lib/webhooks/http";
import { getWebhookStore } from "../../../../../../lib/webhooks/runtime";

// POST { "since": ISO time }: sends every failed delivery created since then again.
export const dynamic = "force-dynamic";

const api = webhookApi(getWebhookStore);

type Context = { params: Promise<{ id: string }> };

export async function POST(request: Request, { params }: Context): Promise<Response> {
  return api.redeliverFailed(request, (await params).id);
}
