import { route } from "../../../../../server/context";

// GET /api/trucks/:id/trail?from=&to=: fixes from position_fixes (default: the hour to its last fix).
export const dynamic = "force-dynamic";
export const GET = route<{ id: string }>((api, request, { id }) => api.trucks.trail(request, id));
