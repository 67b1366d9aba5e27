import { route } from "../../../server/context";

// GET /api/keys lists API keys; POST creates one and shows its token once (admins).
export const dynamic = "force-dynamic";
export const GET = route((api) => api.access.listKeys());
export const POST = route((api, request) => api.access.createKey(request));
