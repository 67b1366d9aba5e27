import { route } from "../../../../../server/context";

// GET, PATCH (change; enabling clears the disable reason) and DELETE one endpoint.
export const dynamic = "force-dynamic";
export const GET = route<{ id: string }>((api, _request, { id }) => api.webhooks.getEndpoint(id));
export const PATCH = route<{ id: string }>((api, request, { id }) =>
  api.webhooks.updateEndpoint(request, id),
);
export const DELETE = route<{ id: string }>((api, _request, { id }) =>
  api.webhooks.deleteEndpoint(id),
);
