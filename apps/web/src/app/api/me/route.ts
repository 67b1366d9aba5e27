import { route } from "../../../server/context";

// GET /api/me: who this session or API key is, and its role.
export const dynamic = "force-dynamic";
export const GET = route((api, request) => api.access.me(request));
