import { route } from "../../../server/context";

// GET /api/trucks?search=&status=&sort=&limit=: the live fleet with each truck's status.
export const dynamic = "force-dynamic";
export const GET = route((api, request) => api.trucks.list(request));
