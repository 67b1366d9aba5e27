import { route } from "../../../../server/context";

// GET /api/trucks/:id: latest fix and status, fences it is inside, recent alerts; 404 if unknown.
export const dynamic = "force-dynamic";
export const GET = route<{ id: string }>((api, request, { id }) => api.trucks.get(request, id));
