import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { BASEMAP_DETAILS } from "@fleetstream/contracts";
import type { MultiLineString, MultiPolygon, Polygon } from "geojson";
import { feature, mesh } from "topojson-client";
import type { GeometryCollection, Topology } from "topojson-specification";
import { type BBox, bboxOf, clipLine, clipRing, intersects, type Point } from "./clip";

/** Natural Earth scales shipped by world-atlas: 1:110m, 1:50m, 1:10m. */
export type Detail = (typeof BASEMAP_DETAILS)[number];

interface Part<T> {
  bbox: BBox;
  value: T;
}

interface Outlines {
  /** Land polygons (outer ring, then holes). */
  land: Part<Point[][]>[];
  /** Borders between countries. */
  borders: Part<Point[]>[];
}

export interface OutlinesAnswer {
  bbox: BBox;
  detail: Detail;
  land: MultiPolygon;
  borders: MultiLineString;
}

type Countries = Topology<{ countries: GeometryCollection; land: GeometryCollection }>;

const round = (p: Point): Point => [Math.round(p[0] * 1e4) / 1e4, Math.round(p[1] * 1e4) / 1e4];

/**
 * Country outlines and coastlines from Natural Earth (the world-atlas package, TopoJSON), decoded
 * once per scale, answered clipped to a box: a view of the Netherlands gets a few kilobytes of
 * the 1:10m data instead of the whole world's 3.6 MB.
 */
export function createOutlines() {
  const require = createRequire(import.meta.url);
  const loaded = new Map<Detail, Promise<Outlines>>();

  async function load(detail: Detail): Promise<Outlines> {
    const text = await readFile(require.resolve(`world-atlas/countries-${detail}.json`), "utf8");
    const topology = JSON.parse(text) as Countries;
    const landGeometry = feature(topology, topology.objects.land);
    const polygons: Point[][][] = [];
    for (const f of "features" in landGeometry ? landGeometry.features : [landGeometry]) {
      const g = f.geometry as Polygon | MultiPolygon;
      if (g.type === "Polygon") polygons.push(g.coordinates as Point[][]);
      else if (g.type === "MultiPolygon") polygons.push(...(g.coordinates as Point[][][]));
    }
    const borderLines = mesh(topology, topology.objects.countries, (a, b) => a !== b);
    return {
      land: polygons.map((rings) => ({ bbox: bboxOf(rings[0] ?? []), value: rings })),
      borders: (borderLines.coordinates as Point[][]).map((line) => ({
        bbox: bboxOf(line),
        value: line,
      })),
    };
  }

  function outlinesOf(detail: Detail): Promise<Outlines> {
    let outlines = loaded.get(detail);
    if (!outlines) {
      outlines = load(detail);
      loaded.set(detail, outlines);
    }
    return outlines;
  }

  return {
    /**
     * Decodes every scale now. Decoding 1:10m blocks the event loop for about a second (3.6 MB
     * of TopoJSON, most of it garbage collection): done on the first map's request, it held up
     * that page's socket and every other request of the server.
     */
    async preload(): Promise<void> {
      for (const detail of BASEMAP_DETAILS) await outlinesOf(detail);
    },

    async within(detail: Detail, bbox: BBox): Promise<OutlinesAnswer> {
      const { land, borders } = await outlinesOf(detail);
      const polygons: Point[][][] = [];
      for (const part of land) {
        if (!intersects(part.bbox, bbox)) continue;
        const rings = part.value
          .map((ring) => clipRing(ring, bbox).map(round))
          .filter((r) => r.length >= 4);
        if (rings.length > 0) polygons.push(rings);
      }
      const lines: Point[][] = [];
      for (const part of borders) {
        if (!intersects(part.bbox, bbox)) continue;
        for (const run of clipLine(part.value, bbox)) lines.push(run.map(round));
      }
      return {
        bbox,
        detail,
        land: { type: "MultiPolygon", coordinates: polygons },
        borders: { type: "MultiLineString", coordinates: lines },
      };
    },
  };
}
