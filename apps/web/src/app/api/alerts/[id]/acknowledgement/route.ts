import { route } from "../../../../../server/context";

// POST /api/alerts/:id/acknowledgement {"by": "name"}: persisted, first one wins.
export const dynamic = "force-dynamic";
export const POST = route<{ id: string }>((api, request, { id }) =>
  api.alerts.acknowledge(request, id),
);
