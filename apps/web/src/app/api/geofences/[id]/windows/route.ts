import { route } from "../../../../../server/context";

// GET /api/geofences/:id/windows?from=&to=: the fence's speed windows (stored and live).
export const dynamic = "force-dynamic";
export const GET = route<{ id: string }>((api, request, { id }) =>
  api.windows.geofence(request, id),
);
