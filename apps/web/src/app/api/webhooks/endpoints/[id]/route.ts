import "server-only";
import { webhookApi } from "../../../../../lib/webhooks/http";
import { getWebhookStore } from "../../../../../lib/webhooks/runtime";

// GET, PATCH (change; enabling clears the disable reason) and DELETE one endpoint.
export const dynamic = "force-dynamic";

const api = webhookApi(getWebhookStore);

type Context = { params: Promise<{ id: string }> };

export async function GET(_request: Request, { params }: Context): Promise<Response> {
  return api.getEndpoint((await params).id);
}

export async function PATCH(request: Request, { params }: Context): Promise<Response> {
  return api.updateEndpoint(request, (await params).id);
}

export async function DELETE(_request: Request, { params }: Context): Promise<Response> {
  return api.deleteEndpoint((await params).id);
}
