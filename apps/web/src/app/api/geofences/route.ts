import "server-only";
import { geofenceApi } from "../../../lib/geofences/http";
import { getGeofenceStore } from "../../../lib/geofences/runtime";

// GET /api/geofences[?tag=…] lists geofences; POST creates one (JSON, validated; 400 names the
// problem). The store is the web server's (PostgreSQL + the compacted `geofences` topic).
export const dynamic = "force-dynamic";

const api = geofenceApi(getGeofenceStore);

export function GET(request: Request): Promise<Response> {
  return api.list(request);
}

export function POST(request: Request): Promise<Response> {
  return api.create(request);
}
