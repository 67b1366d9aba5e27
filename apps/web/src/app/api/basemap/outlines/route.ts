import { route } from "../../../../server/context";

// GET /api/basemap/outlines?detail=110m|50m|10m&bbox=w,s,e,n: Natural Earth land and borders
// clipped to the box (GeoJSON), for the offline basemap.
export const dynamic = "force-dynamic";
export const GET = route((api, request) => api.basemap.outlines(request));
