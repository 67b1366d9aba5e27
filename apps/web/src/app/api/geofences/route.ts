import { route } from "../../../server/context";

// GET /api/geofences[?tag=…] lists geofences; POST creates one (400 names the problem).
export const dynamic = "force-dynamic";
export const GET = route((api, request) => api.geofences.list(request));
export const POST = route((api, request) => api.geofences.create(request));
