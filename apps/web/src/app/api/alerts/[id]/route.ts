import { route } from "../../../../server/context";

// GET /api/alerts/:id (stored, or seen live and not stored yet); 404 for an unknown id.
export const dynamic = "force-dynamic";
export const GET = route<{ id: string }>((api, request, { id }) => api.alerts.get(request, id));
