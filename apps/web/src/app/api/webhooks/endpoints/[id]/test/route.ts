import { route } from "../../../../../../server/context";

// POST: queues a webhook.test delivery (202 with the delivery).
export const dynamic = "force-dynamic";
export const POST = route<{ id: string }>((api, _request, { id }) => api.webhooks.sendTest(id));
