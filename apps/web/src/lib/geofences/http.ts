import { answer as answerWith, NO_STORE, problem, readJson } from "../http/json-api";
import type { GeofenceErrorCode, GeofenceResult, GeofenceStore } from "./store";

// The geofence REST API as plain Request → Response functions; the route files under
// app/api/geofences only bind them (so they are testable without Next.js).

/** One table from error code to HTTP status. */
const STATUS: Record<GeofenceErrorCode, number> = { invalid: 400, not_found: 404 };

const answer = <T>(result: GeofenceResult<T>, status = 200, headers: HeadersInit = {}) =>
  answerWith(STATUS, result, status, headers);
const body = (request: Request) => readJson(request);

export function geofenceApi(getStore: () => GeofenceStore | undefined) {
  const store = (): GeofenceStore | Response =>
    getStore() ??
    problem(503, "geofences need a database: this web server was started without one");

  return {
    /** GET /api/geofences[?tag=…] */
    async list(request: Request): Promise<Response> {
      const s = store();
      if (s instanceof Response) return s;
      const tag = new URL(request.url).searchParams.get("tag") ?? undefined;
      return Response.json({ geofences: await s.list({ tag }) }, { headers: NO_STORE });
    },
    /** POST /api/geofences → 201 with Location */
    async create(request: Request): Promise<Response> {
      const s = store();
      if (s instanceof Response) return s;
      const parsed = await body(request);
      if (!parsed.ok) return parsed.response;
      const result = await s.create(parsed.json);
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
      const parsed = await body(request);
      if (!parsed.ok) return parsed.response;
      return answer(await s.replace(id, parsed.json));
    },
    /** DELETE /api/geofences/:id → 204 */
    async remove(_request: Request, id: string): Promise<Response> {
      const s = store();
      if (s instanceof Response) return s;
      return answer(await s.remove(id));
    },
  };
}
