import { OutlinesQuery } from "@fleetstream/contracts";
import { createOutlines } from "../basemap/outlines";
import { json, parseQuery, problem } from "./respond";

const CACHE = { "cache-control": "public, max-age=86400" };

export interface RoadFeature {
  type: "Feature";
  properties: { ref: string; roadClass: string };
  geometry: { type: "LineString"; coordinates: [number, number][] };
}

export type BasemapApi = ReturnType<typeof basemapApi>;

export function basemapApi(deps: { roads: () => Promise<RoadFeature[] | null> }) {
  const outlines = createOutlines();
  return {
    /** Decodes the Natural Earth outlines (before the server says it is ready). */
    preload: () => outlines.preload(),
    /** GET /api/basemap/outlines?detail=110m|50m|10m&bbox=w,s,e,n → land and borders (GeoJSON). */
    async outlines(request: Request): Promise<Response> {
      const query = parseQuery(request, OutlinesQuery);
      if (!query.ok) return query.response;
      const [w, s, e, n] = query.value.bbox;
      return json(await outlines.within(query.value.detail, [w, s, e, n]), 200, CACHE);
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
