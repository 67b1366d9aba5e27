import { route } from "../../../server/context";

// GET /api/audit?limit=&before=: who changed geofences, webhooks, users and keys (admins).
export const dynamic = "force-dynamic";
export const GET = route((api, request) => api.access.audit(request));
