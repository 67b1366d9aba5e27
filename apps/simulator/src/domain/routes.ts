import { z } from "zod";
import type { LonLat } from "./geo";
import { buildLeg, isRoadClass, type Leg, type RoadClass, reverseLeg } from "./leg";
import type { Random } from "./random";
import type { Region } from "./region";

/** Chooses where each truck drives: its first leg from its depot, then one leg after another. */
export interface RoutePlanner {
  description: string;
  /** The first leg of truck `index`, starting at its depot. */
  first(index: number, random: Random): Leg;
  /** The leg after arriving at the end of `previous`. */
  next(index: number, previous: Leg, random: Random): Leg;
}

/** Chance that a truck returns to its home depot after a delivery instead of driving on. */
export const RETURN_TO_DEPOT_P = 0.2;

/**
 * Built-in region planner: truck i is based at depot i mod (number of depots); it drives to a
 * random city, then on to another city or (20%) back to its depot, along the fastest roads.
 */
export function regionPlanner(region: Region): RoutePlanner {
  const home = (index: number) => {
    const depot = region.depots[index % region.depots.length];
    if (!depot) throw new Error("the region has no depot");
    return depot;
  };
  const otherCity = (from: string, random: Random) => {
    const choices = region.destinations.filter((p) => p.id !== from);
    return random.pick(choices).id;
  };
  return {
    description: region.description,
    first(index, random) {
      const depot = home(index).id;
      return region.leg(depot, otherCity(depot, random));
    },
    next(index, previous, random) {
      const depot = home(index).id;
      const backHome = previous.to !== depot && random.chance(RETURN_TO_DEPOT_P);
      return region.leg(previous.to, backHome ? depot : otherCity(previous.to, random));
    },
  };
}

/**
 * Route-file planner: truck i drives LineString i mod n from its first point (its depot) to its
 * last, makes a delivery stop, drives it back, and so on.
 */
export function shuttlePlanner(legs: readonly Leg[], source: string): RoutePlanner {
  if (legs.length === 0) throw new Error(`${source}: no LineString routes`);
  const reversed = new Map<Leg, Leg>();
  const back = (leg: Leg) => {
    let r = reversed.get(leg);
    if (!r) {
      r = reverseLeg(leg);
      reversed.set(leg, r);
      reversed.set(r, leg);
    }
    return r;
  };
  return {
    description: `${legs.length} route(s) from ${source}`,
    first: (index) => legs[index % legs.length] as Leg,
    next: (_index, previous) => back(previous),
  };
}

const Position = z
  .tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)])
  .rest(z.number());
const Line = z.array(Position).min(2, "a line needs at least 2 positions");
const Geometry = z.object({ type: z.string(), coordinates: z.unknown() });
const Feature = z.object({
  type: z.literal("Feature"),
  geometry: Geometry.nullable(),
  properties: z.record(z.string(), z.unknown()).nullable().optional(),
});
const GeoJson = z.union([
  z.object({ type: z.literal("FeatureCollection"), features: z.array(Feature) }),
  Feature,
  Geometry,
]);

function fail(source: string, where: string, error: z.ZodError): never {
  const issue = error.issues[0];
  const path = issue?.path.length ? `.${issue.path.join(".")}` : "";
  throw new Error(`${source}: ${where}${path}: ${issue?.message ?? "invalid"}`);
}

/** The lines of one geometry: LineString gives one, MultiLineString many, others none. */
function linesOf(geometry: z.infer<typeof Geometry> | null, source: string, where: string) {
  if (geometry?.type === "LineString") {
    const line = Line.safeParse(geometry.coordinates);
    if (!line.success) fail(source, `${where}.coordinates`, line.error);
    return [line.data];
  }
  if (geometry?.type === "MultiLineString") {
    const lines = z.array(Line).safeParse(geometry.coordinates);
    if (!lines.success) fail(source, `${where}.coordinates`, lines.error);
    return lines.data;
  }
  return [];
}

/** OpenStreetMap `highway` values mapped to our road classes. */
const OSM_HIGHWAY: Record<string, RoadClass> = {
  motorway: "motorway",
  motorway_link: "motorway",
  trunk: "motorway",
  trunk_link: "primary",
  primary: "primary",
  primary_link: "primary",
  secondary: "primary",
  secondary_link: "primary",
  tertiary: "urban",
};

/** Road class of a route from its properties: `roadClass`, else OSM `highway`, else primary. */
function roadClassOf(properties: Record<string, unknown> | null | undefined): RoadClass {
  const declared = properties?.roadClass;
  if (isRoadClass(declared)) return declared;
  const highway = properties?.highway;
  if (typeof highway === "string") return OSM_HIGHWAY[highway] ?? "urban";
  return "primary";
}

/**
 * Parses a GeoJSON route file (a FeatureCollection of LineString / MultiLineString features, a
 * single Feature, or a bare geometry) into legs. Each line is one route. A feature's road class
 * comes from `properties.roadClass` (motorway | primary | urban) or OSM `properties.highway`;
 * its name from `properties.name`. Throws one line naming the problem.
 */
export function parseRouteFile(json: unknown, source: string): Leg[] {
  const parsed = GeoJson.safeParse(json);
  if (!parsed.success) fail(source, "not GeoJSON", parsed.error);
  const data = parsed.data;
  type FeatureLike = Pick<z.infer<typeof Feature>, "geometry" | "properties">;
  const features: FeatureLike[] =
    "features" in data
      ? data.features
      : "geometry" in data
        ? [data as FeatureLike]
        : [{ geometry: data as z.infer<typeof Geometry>, properties: null }];
  const legs: Leg[] = [];
  features.forEach((feature, f) => {
    const lines = linesOf(feature.geometry, source, `features.${f}.geometry`);
    const roadClass = roadClassOf(feature.properties);
    const name =
      typeof feature.properties?.name === "string" ? feature.properties.name : `route ${f + 1}`;
    lines.forEach((coords, l) => {
      const id = lines.length > 1 ? `${name} #${l + 1}` : name;
      const points = coords.map((c): LonLat => [c[0], c[1]]);
      try {
        legs.push(
          buildLeg(`${id} start -> ${id} end`, `${id}:start`, `${id}:end`, [{ roadClass, points }]),
        );
      } catch {
        throw new Error(`${source}: features.${f} (${id}) has no two distinct positions`);
      }
    });
  });
  if (legs.length === 0) throw new Error(`${source}: no LineString or MultiLineString features`);
  return legs;
}
