import { route } from "../../../../server/context";

// GET /api/basemap/countries?detail=110m|50m|10m: Natural Earth outlines (TopoJSON) for the map.
export const dynamic = "force-dynamic";
export const GET = route((api, request) => api.basemap.countries(request));
