import { route } from "../../../server/context";

// GET /api/alerts?type=&truck=&fence=&tag=&acknowledged=&from=&to=&before=&limit=: history,
// newest first, one cursor page at a time (`next` → `before`).
export const dynamic = "force-dynamic";
export const GET = route((api, request) => api.alerts.list(request));
