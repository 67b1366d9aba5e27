import { describe, expect, it } from "vitest";
import {
  CLUSTER_ABOVE,
  type ClusterPoint,
  shouldCluster,
  TruckClusterIndex,
  UNCLUSTER_BELOW,
} from "./truck-clusters";

const WORLD: [number, number, number, number] = [-180, -85, 180, 85];

/** `n` trucks in a 0.01° square around (lat, lon), ids prefixed. */
function group(prefix: string, n: number, lat: number, lon: number): ClusterPoint[] {
  return Array.from({ length: n }, (_, i) => ({
    truckId: `${prefix}-${i}`,
    lat: lat + (i % 10) * 0.001,
    lon: lon + Math.floor(i / 10) * 0.001,
  }));
}

describe("shouldCluster", () => {
  it("clusters only a crowded view, with a gap against flicker", () => {
    expect(shouldCluster(20, false)).toBe(false);
    expect(shouldCluster(CLUSTER_ABOVE, false)).toBe(false);
    expect(shouldCluster(CLUSTER_ABOVE + 1, false)).toBe(true);
    expect(shouldCluster(UNCLUSTER_BELOW + 1, true)).toBe(true);
    expect(shouldCluster(UNCLUSTER_BELOW - 1, true)).toBe(false);
  });
});

describe("TruckClusterIndex", () => {
  const points = [
    ...group("ams", 50, 52.37, 4.9),
    ...group("rtm", 30, 51.92, 4.48),
    { truckId: "lone", lat: 53.2, lon: 6.56 },
  ];

  it("groups nearby trucks at a low zoom and keeps a lone truck single", () => {
    const items = new TruckClusterIndex(points, 8).query(WORLD);
    const clusters = items.filter((i) => i.kind === "cluster");
    expect(clusters.map((c) => c.count).sort((a, b) => a - b)).toEqual([30, 50]);
    expect(items).toContainEqual({ kind: "truck", truckId: "lone" });
  });

  it("never hides the excluded (selected) truck in a cluster", () => {
    const items = new TruckClusterIndex(points, 8, "ams-3").query(WORLD);
    const counts = items.flatMap((i) => (i.kind === "cluster" ? [i.count] : []));
    expect(counts.sort((a, b) => a - b)).toEqual([30, 49]);
    expect(items.some((i) => i.kind === "truck" && i.truckId === "ams-3")).toBe(false);
  });

  it("answers for the view's box only", () => {
    const items = new TruckClusterIndex(points, 8).query([6, 53, 7, 54]);
    expect(items).toEqual([{ kind: "truck", truckId: "lone" }]);
  });

  it("tells the zoom at which a cluster splits, above the current one", () => {
    const index = new TruckClusterIndex(points, 5);
    const cluster = index.query(WORLD).find((i) => i.kind === "cluster");
    if (cluster?.kind !== "cluster") throw new Error("no cluster");
    expect(index.expansionZoom(cluster.clusterId)).toBeGreaterThan(5);
  });

  it("splits everything at a street-level zoom", () => {
    const items = new TruckClusterIndex(points, 18).query(WORLD);
    expect(items.every((i) => i.kind === "truck")).toBe(true);
    expect(items).toHaveLength(points.length);
  });
});
