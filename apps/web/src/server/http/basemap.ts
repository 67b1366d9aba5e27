import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { z } from "zod";
import { json, parseQuery, problem } from "./respond";

/** Country outlines and coastlines: Natural Earth through the world-atlas package (TopoJSON). */
export const BasemapQuery = z.strictObject({
  detail: z.enum(["110m", "50m", "10m"]).default("50m"),
});

const CACHE = { "cache-control": "public, max-age=86400" };

export interface RoadFeature {
  type: "Feature";
  properties: { ref: string; roadClass: string };
  geometry: { type: "LineString"; coordinates: [number, number][] };
}

export type BasemapApi = ReturnType<typeof basemapApi>;

export function basemapApi(deps: { roads: () => Promise<RoadFeature[] | null> }) {
  const require = createRequire(import.meta.url);
  const files = new Map<string, Promise<string>>();
  return {
    /** GET /api/basemap/countries?detail=110m|50m|10m → TopoJSON (objects: countries, land). */
    async countries(request: Request): Promise<Response> {
      const query = parseQuery(request, BasemapQuery);
      if (!query.ok) return query.response;
      const name = `world-atlas/countries-${query.value.detail}.json`;
      let file = files.get(name);
      if (!file) {
        file = readFile(require.resolve(name), "utf8");
        files.set(name, file);
      }
      return new Response(await file, {
        headers: { "content-type": "application/json", ...CACHE },
      });
    },
    /** GET /api/basemap/roads → GeoJSON of the simulator's road network, 404 when not in use. */
    async roads(): Promise<Response> {
      const features = await deps.roads();
      if (!features) {
        return problem(
          "not_found",
          "no road network: the built-in region is not in use (MAP_ROAD_NETWORK=none)",
        );
      }
      return json({ type: "FeatureCollection", features }, 200, CACHE);
    },
  };
}
