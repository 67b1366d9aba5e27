import { route } from "../../../../../server/context";

// GET: one delivery (id = its webhook-id) with every attempt.
export const dynamic = "force-dynamic";
export const GET = route<{ id: string }>((api, _request, { id }) => api.webhooks.getDelivery(id));
