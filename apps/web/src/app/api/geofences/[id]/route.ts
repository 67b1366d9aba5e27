import "server-only";
import { geofenceApi } from "../../../../lib/geofences/http";
import { getGeofenceStore } from "../../../../lib/geofences/runtime";

// GET, PUT (replace; version + 1) and DELETE one geofence; 404 for an unknown id.
export const dynamic = "force-dynamic";

const api = geofenceApi(getGeofenceStore);

type Context = { params: Promise<{ id: string }> };

export async function GET(request: Request, { params }: Context): Promise<Response> {
  return api.get(request, (await params).id);
}

export async function PUT(request: Request, { params }: Context): Promise<Response> {
  return api.replace(request, (await params).id);
}

export async function DELETE(request: Request, { params }: Context): Promise<Response> {
  return api.remove(request, (await params).id);
}
