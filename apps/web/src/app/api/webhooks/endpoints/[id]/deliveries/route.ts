import { route } from "../../../../../../server/context";

// GET: the endpoint's delivery log, newest first (?status=pending|succeeded|failed&cursor=&limit=).
export const dynamic = "force-dynamic";
export const GET = route<{ id: string }>((api, request, { id }) =>
  api.webhooks.listDeliveries(request, id),
);
