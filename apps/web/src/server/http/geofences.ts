import type { GeofenceStore } from "../geofences/store";
import { answer, json, readJson, requireDatabase } from "./respond";

// The geofence REST API as plain Request → Response functions; the route files under
// app/api/geofences only bind them (so they are testable without Next.js).

export type GeofenceApi = ReturnType<typeof geofenceApi>;

export function geofenceApi(getStore: () => GeofenceStore | undefined) {
  const store = (): GeofenceStore | Response => requireDatabase(getStore(), "the geofence API");

  return {
    /** GET /api/geofences[?tag=…] */
    async list(request: Request): Promise<Response> {
      const s = store();
      if (s instanceof Response) return s;
      const tag = new URL(request.url).searchParams.get("tag") ?? undefined;
      return json({ geofences: await s.list({ tag }) });
    },
    /** POST /api/geofences → 201 with Location */
    async create(request: Request): Promise<Response> {
      const s = store();
      if (s instanceof Response) return s;
      const parsed = await readJson(request);
      if (!parsed.ok) return parsed.response;
      const result = await s.create(parsed.value);
      const location = result.ok ? `/api/geofences/${result.value.id}` : "";
      return answer(result, 201, result.ok ? { location } : {});
    },
    /** GET /api/geofences/:id */
    async get(_request: Request, id: string): Promise<Response> {
      const s = store();
      if (s instanceof Response) return s;
      return answer(await s.get(id));
    },
    /** PUT /api/geofences/:id (the whole definition; version + 1) */
    async replace(request: Request, id: string): Promise<Response> {
      const s = store();
      if (s instanceof Response) return s;
      const parsed = await readJson(request);
      if (!parsed.ok) return parsed.response;
      return answer(await s.replace(id, parsed.value));
    },
    /** DELETE /api/geofences/:id → 204 */
    async remove(_request: Request, id: string): Promise<Response> {
      const s = store();
      if (s instanceof Response) return s;
      return answer(await s.remove(id));
    },
  };
}
