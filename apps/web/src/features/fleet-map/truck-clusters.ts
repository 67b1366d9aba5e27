import Supercluster, { type PointFeature } from "supercluster";

/**
 * Which trucks the map draws as clusters. Clustering starts when more than CLUSTER_ABOVE trucks
 * are in view and stops below UNCLUSTER_BELOW (the gap keeps a view near the limit from
 * flickering between the two); a small fleet is never clustered, at any zoom.
 */
export const CLUSTER_ABOVE = 1500;
export const UNCLUSTER_BELOW = 1200;

export function shouldCluster(trucksInView: number, clustering: boolean): boolean {
  return clustering ? trucksInView >= UNCLUSTER_BELOW : trucksInView > CLUSTER_ABOVE;
}

/** Trucks closer than this on screen join one cluster. */
export const CLUSTER_RADIUS_PX = 60;
/**
 * Levels above the current zoom that an index also holds (so a cluster's click knows its
 * expansion zoom). An index holds only these few levels: one with every level up to 16 took
 * ~200 ms for 50,000 trucks, one of 4 levels ~50 ms.
 */
const LEVELS_ABOVE = 3;
/** Above this zoom nothing is clustered. */
export const CLUSTER_MAX_ZOOM = 17;

/** The zoom level an index is built for at a (possibly fractional) map zoom. */
export function clusterLevel(zoom: number): number {
  return Math.max(0, Math.min(CLUSTER_MAX_ZOOM, Math.floor(zoom)));
}

export interface ClusterPoint {
  truckId: string;
  lat: number;
  lon: number;
}

export type ClusterItem =
  | { kind: "cluster"; clusterId: number; lat: number; lon: number; count: number }
  | { kind: "truck"; truckId: string };

/** [west, south, east, north] in degrees. */
export type BBox = [number, number, number, number];

/**
 * A supercluster index of the trucks for one (integer) zoom, built from a snapshot of their
 * positions; `excluded` (the selected truck) is left out so it is never hidden in a cluster.
 */
export class TruckClusterIndex {
  readonly zoom: number;
  readonly #index: Supercluster<{ truckId: string }>;

  constructor(points: Iterable<ClusterPoint>, zoom: number, excluded: string | null = null) {
    this.zoom = clusterLevel(zoom);
    const features: PointFeature<{ truckId: string }>[] = [];
    for (const p of points) {
      if (p.truckId === excluded) continue;
      features.push({
        type: "Feature",
        properties: { truckId: p.truckId },
        geometry: { type: "Point", coordinates: [p.lon, p.lat] },
      });
    }
    this.#index = new Supercluster<{ truckId: string }>({
      radius: CLUSTER_RADIUS_PX,
      // Leaflet's tiles are 256 px: with this extent the radius is in screen pixels.
      extent: 256,
      minZoom: this.zoom,
      maxZoom: Math.min(CLUSTER_MAX_ZOOM, this.zoom + LEVELS_ABOVE),
    }).load(features);
  }

  /** Clusters and single trucks in `bbox` at this index's zoom. */
  query(bbox: BBox): ClusterItem[] {
    return this.#index.getClusters(bbox, this.zoom).map((feature): ClusterItem => {
      const [lon = 0, lat = 0] = feature.geometry.coordinates;
      const properties = feature.properties;
      return "cluster" in properties && properties.cluster
        ? {
            kind: "cluster",
            clusterId: properties.cluster_id,
            lat,
            lon,
            count: properties.point_count,
          }
        : { kind: "truck", truckId: (properties as { truckId: string }).truckId };
    });
  }

  /** The zoom at which a cluster splits (at most one past the levels this index holds). */
  expansionZoom(clusterId: number): number {
    return this.#index.getClusterExpansionZoom(clusterId);
  }
}
