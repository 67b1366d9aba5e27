import { route } from "../../../../server/context";

// GET /api/basemap/roads: the simulator's road network (GeoJSON), 404 when not in use.
export const dynamic = "force-dynamic";
export const GET = route((api) => api.basemap.roads());
