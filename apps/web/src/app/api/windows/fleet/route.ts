import { route } from "../../../../server/context";

// GET /api/windows/fleet?from=&to=: fleet-wide speed windows with the fleet's highest speed.
export const dynamic = "force-dynamic";
export const GET = route((api, request) => api.windows.fleet(request));
