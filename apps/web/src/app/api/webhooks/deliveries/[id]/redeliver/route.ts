import { route } from "../../../../../../server/context";

// POST: sends the delivery again with the same webhook-id (202).
export const dynamic = "force-dynamic";
export const POST = route<{ id: string }>((api, _request, { id }) => api.webhooks.redeliver(id));
