import { z } from "zod";
import { createOutlines, DETAILS } from "../basemap/outlines";
import { json, parseQuery, problem } from "./respond";

const Coordinate = z.number("must be a number");

/** GET /api/basemap/outlines query: the scale and the box [west,south,east,north] in degrees. */
export const OutlinesQuery = z.strictObject({
  detail: z.enum(DETAILS).default("50m"),
  bbox: z
    .string()
    .transform((text) => text.split(",").map(Number))
    .pipe(
      z
        .tuple([Coordinate, Coordinate, Coordinate, Coordinate], "must be west,south,east,north")
        .refine(([w, s, e, n]) => w < e && s < n, "west must be below east and south below north")
        .refine(
          ([w, s, e, n]) => w >= -540 && e <= 540 && s >= -90 && n <= 90,
          "outside the world",
        ),
    ),
});

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
