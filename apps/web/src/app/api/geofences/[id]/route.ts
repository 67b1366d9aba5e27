import { route } from "../../../../server/context";

// GET, PUT (replace; version + 1) and DELETE one geofence; 404 for an unknown id.
export const dynamic = "force-dynamic";
export const GET = route<{ id: string }>((api, request, { id }) => api.geofences.get(request, id));
export const PUT = route<{ id: string }>((api, request, { id }) =>
  api.geofences.replace(request, id),
);
export const DELETE = route<{ id: string }>((api, request, { id }) =>
  api.geofences.remove(request, id),
);
