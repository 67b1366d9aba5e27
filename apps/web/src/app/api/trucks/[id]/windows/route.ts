import { route } from "../../../../../server/context";

// GET /api/trucks/:id/windows?from=&to=: per-minute tumbling speed windows (stored and live).
export const dynamic = "force-dynamic";
export const GET = route<{ id: string }>((api, request, { id }) => api.trucks.windows(request, id));
