import { bearingDeg, distanceM, type LonLat, offsetM } from "./geo";
import {
  buildLeg,
  type ClassedPath,
  type Leg,
  ROAD_CLASSES,
  type RoadClass,
  withUrbanEnds,
} from "./leg";
import { NL_PLACES, NL_ROADS, type Place, type Road } from "./region-nl";

/** Metres of urban road at each end of a leg (leaving the depot, reaching the customer). */
export const URBAN_END_M = 2_000;
/** Spacing of the generated shape points along a road. */
const SHAPE_SPACING_M = 500;

interface Edge {
  from: string;
  to: string;
  ref: string;
  roadClass: RoadClass;
  points: LonLat[];
  lengthM: number;
  seconds: number;
}

/**
 * A road network: places, roads between them, and shortest (fastest) legs between any two
 * places. Legs are computed on demand and cached; the network is immutable.
 */
export interface Region {
  description: string;
  places: readonly Place[];
  depots: readonly Place[];
  destinations: readonly Place[];
  leg(fromId: string, toId: string): Leg;
}

/** FNV-1a hash of a string, for deterministic road shapes. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Shape points between two places: a straight chord bent by a sine of a few hundred metres, so
 * the road curves gently (heading changes stay below ~10 degrees between shape points).
 */
function shape(a: Place, b: Place, key: string): LonLat[] {
  const start: LonLat = [a.lon, a.lat];
  const end: LonLat = [b.lon, b.lat];
  const length = distanceM(start, end);
  const h = hash(key);
  const halfWaves = Math.max(1, Math.round(length / 9_000) + (h % 2));
  const amplitude = Math.min(350, length * 0.015) * (h & 4 ? 1 : -1);
  const steps = Math.max(1, Math.ceil(length / SHAPE_SPACING_M));
  const bearing = bearingDeg(start, end);
  // Unit vector to the right of the chord, in east/north metres.
  const rightEast = Math.cos((bearing * Math.PI) / 180);
  const rightNorth = -Math.sin((bearing * Math.PI) / 180);
  const points: LonLat[] = [start];
  for (let i = 1; i < steps; i++) {
    const f = i / steps;
    const onChord: LonLat = [a.lon + (b.lon - a.lon) * f, a.lat + (b.lat - a.lat) * f];
    const side = amplitude * Math.sin(Math.PI * halfWaves * f);
    points.push(offsetM(onChord, rightEast * side, rightNorth * side));
  }
  points.push(end);
  return points;
}

function buildEdges(
  places: ReadonlyMap<string, Place>,
  roads: readonly Road[],
): Map<string, Edge[]> {
  const adjacency = new Map<string, Edge[]>();
  const add = (edge: Edge) => {
    const list = adjacency.get(edge.from) ?? [];
    list.push(edge);
    adjacency.set(edge.from, list);
  };
  for (const road of roads) {
    for (let i = 0; i < road.via.length - 1; i++) {
      const a = places.get(road.via[i] as string);
      const b = places.get(road.via[i + 1] as string);
      if (!a || !b) throw new Error(`road ${road.ref} names an unknown place`);
      const points = shape(a, b, `${road.ref}:${a.id}:${b.id}`);
      let lengthM = 0;
      for (let k = 1; k < points.length; k++) {
        lengthM += distanceM(points[k - 1] as LonLat, points[k] as LonLat);
      }
      const seconds = lengthM / (ROAD_CLASSES[road.roadClass].limitKmh / 3.6);
      const forward = { from: a.id, to: b.id, ref: road.ref, roadClass: road.roadClass };
      add({ ...forward, points, lengthM, seconds });
      add({
        from: b.id,
        to: a.id,
        ref: road.ref,
        roadClass: road.roadClass,
        points: [...points].reverse(),
        lengthM,
        seconds,
      });
    }
  }
  return adjacency;
}

/** Dijkstra by travel time; the graph has ~70 nodes, so a linear scan for the minimum is fine. */
function fastestPath(adjacency: ReadonlyMap<string, Edge[]>, from: string, to: string): Edge[] {
  const best = new Map<string, number>([[from, 0]]);
  const via = new Map<string, Edge>();
  const done = new Set<string>();
  while (true) {
    let current: string | undefined;
    let currentCost = Number.POSITIVE_INFINITY;
    for (const [node, cost] of best) {
      if (!done.has(node) && cost < currentCost) {
        current = node;
        currentCost = cost;
      }
    }
    if (current === undefined) throw new Error(`no road from ${from} to ${to}`);
    if (current === to) break;
    done.add(current);
    for (const edge of adjacency.get(current) ?? []) {
      const cost = currentCost + edge.seconds;
      if (cost < (best.get(edge.to) ?? Number.POSITIVE_INFINITY)) {
        best.set(edge.to, cost);
        via.set(edge.to, edge);
      }
    }
  }
  const path: Edge[] = [];
  for (let node = to; node !== from; ) {
    const edge = via.get(node);
    if (!edge) throw new Error("unreachable");
    path.unshift(edge);
    node = edge.from;
  }
  return path;
}

export function createRegion(
  name: string,
  places: readonly Place[],
  roads: readonly Road[],
): Region {
  const byId = new Map(places.map((p) => [p.id, p]));
  const adjacency = buildEdges(byId, roads);
  const cache = new Map<string, Leg>();
  const depots = places.filter((p) => p.kind === "depot");
  const destinations = places.filter((p) => p.kind === "city");
  return {
    description: `${name}: ${destinations.length} cities and ${depots.length} distribution centres on ${roads.length} road sections`,
    places,
    depots,
    destinations,
    leg(fromId, toId) {
      const key = `${fromId}>${toId}`;
      const cached = cache.get(key);
      if (cached) return cached;
      const from = byId.get(fromId);
      const to = byId.get(toId);
      if (!from || !to) throw new Error(`unknown place ${from ? toId : fromId}`);
      const paths: ClassedPath[] = fastestPath(adjacency, fromId, toId).map((edge) => ({
        roadClass: edge.roadClass,
        points: edge.points,
      }));
      const leg = withUrbanEnds(
        buildLeg(`${from.name} -> ${to.name}`, from.id, to.id, paths),
        URBAN_END_M,
      );
      cache.set(key, leg);
      return leg;
    },
  };
}

/** One drawn road section: its number, class and the shape the trucks drive along. */
export interface RoadLine {
  ref: string;
  roadClass: RoadClass;
  points: LonLat[];
}

/** The built-in region's roads as the trucks drive them (for a map's background). */
export function builtInRoadNetwork(): RoadLine[] {
  const byId = new Map(NL_PLACES.map((p) => [p.id, p]));
  const lines: RoadLine[] = [];
  for (const [from, edges] of buildEdges(byId, NL_ROADS)) {
    for (const edge of edges) {
      // Each section is in the graph both ways; draw it once.
      if (edge.from === from && from < edge.to) {
        lines.push({ ref: edge.ref, roadClass: edge.roadClass, points: edge.points });
      }
    }
  }
  return lines;
}

let netherlands: Region | undefined;

/** The built-in region (see region-nl.ts); built once on first use. */
export function builtInRegion(): Region {
  netherlands ??= createRegion("the Netherlands", NL_PLACES, NL_ROADS);
  return netherlands;
}
