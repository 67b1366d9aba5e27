import { describe, expect, it } from "vitest";
import { segmentsIntersect } from "./shapes";
import { firstConflict, type Segment } from "./sweep";
import { seededRandom } from "./testing/random-shapes";

// The sweep must find a conflict whenever one exists. Here the conflict is "the segments
// intersect and are not neighbours in the ring", checked against all pairs on rings whose
// vertices sit on a small grid: many shared vertices, collinear overlaps, vertical edges and
// touches, which are where a sweep goes wrong.

interface Edge extends Segment {
  ring: number;
  i: number;
  n: number;
  ax: number;
  ay: number;
  bx: number;
  by: number;
}

function edgesOf(ring: [number, number][], id = 0): Edge[] {
  const edges: Edge[] = [];
  for (let i = 0; i + 1 < ring.length; i++) {
    const [ax, ay] = ring[i] as [number, number];
    const [bx, by] = ring[i + 1] as [number, number];
    if (ax === bx && ay === by) continue;
    const aFirst = ax < bx || (ax === bx && ay < by);
    edges.push({
      ring: id,
      i: edges.length,
      n: 0,
      ax,
      ay,
      bx,
      by,
      lx: aFirst ? ax : bx,
      ly: aFirst ? ay : by,
      rx: aFirst ? bx : ax,
      ry: aFirst ? by : ay,
    });
  }
  for (const e of edges) e.n = edges.length;
  return edges;
}

const cross = (ax: number, ay: number, bx: number, by: number, cx: number, cy: number) =>
  (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);

/** Intersecting, except ring neighbours that meet only at their shared vertex. */
function conflict(e: Edge, f: Edge): boolean {
  if (!segmentsIntersect(e.ax, e.ay, e.bx, e.by, f.ax, f.ay, f.bx, f.by)) return false;
  if (e.ring !== f.ring) return true;
  const gap = Math.abs(e.i - f.i);
  const neighbours =
    (gap === 1 || gap === e.n - 1) &&
    ((e.bx === f.ax && e.by === f.ay) || (f.bx === e.ax && f.by === e.ay));
  if (!neighbours) return true;
  const collinear =
    cross(e.ax, e.ay, e.bx, e.by, f.ax, f.ay) === 0 &&
    cross(e.ax, e.ay, e.bx, e.by, f.bx, f.by) === 0;
  return collinear && (e.bx - e.ax) * (f.bx - f.ax) + (e.by - e.ay) * (f.by - f.ay) < 0;
}

function allPairs(edges: Edge[]): boolean {
  for (let i = 0; i < edges.length; i++)
    for (let j = i + 1; j < edges.length; j++)
      if (conflict(edges[i] as Edge, edges[j] as Edge)) return true;
  return false;
}

describe("firstConflict (Shamos–Hoey sweep)", () => {
  it("finds a conflict exactly when some pair conflicts, on 20,000 random grid rings", () => {
    const rng = seededRandom(11);
    let conflicting = 0;
    for (let k = 0; k < 20_000; k++) {
      const count = 3 + Math.floor(rng() * 8);
      const grid = 2 + Math.floor(rng() * 5);
      const ring: [number, number][] = Array.from({ length: count }, () => [
        Math.floor(rng() * grid),
        Math.floor(rng() * grid),
      ]);
      ring.push([...(ring[0] as [number, number])]);
      const edges = edgesOf(ring);
      const expected = allPairs(edges);
      const found = firstConflict(edges, conflict);
      expect(found !== undefined, JSON.stringify(ring)).toBe(expected);
      if (found) expect(conflict(found[0], found[1])).toBe(true);
      if (expected) conflicting++;
    }
    expect(conflicting).toBeGreaterThan(2_000);
    expect(conflicting).toBeLessThan(20_000);
  });

  it("finds rings that cross or touch each other, on 5,000 random pairs of simple grid rings", () => {
    const rng = seededRandom(12);
    let tried = 0;
    let touching = 0;
    while (tried < 5_000) {
      const ring = (): [number, number][] => {
        const r: [number, number][] = Array.from({ length: 3 + Math.floor(rng() * 3) }, () => [
          Math.floor(rng() * 5),
          Math.floor(rng() * 5),
        ]);
        r.push([...(r[0] as [number, number])]);
        return r;
      };
      const a = edgesOf(ring(), 0);
      const b = edgesOf(ring(), 1);
      if (allPairs(a) || allPairs(b)) continue; // the validator sweeps pairs of simple rings only
      tried++;
      const expected = allPairs([...a, ...b]);
      expect(firstConflict([...a, ...b], conflict) !== undefined).toBe(expected);
      if (expected) touching++;
    }
    expect(touching).toBeGreaterThan(500);
    expect(touching).toBeLessThan(5_000);
  });

  it("finds the one crossing of a 50,000-edge star, and none in the simple star", () => {
    const star = (n: number): [number, number][] => {
      const ring: [number, number][] = [];
      for (let i = 0; i < n; i++) {
        const angle = (2 * Math.PI * i) / n;
        const radius = i % 2 === 0 ? 1 : 0.001;
        ring.push([radius * Math.cos(angle), radius * Math.sin(angle)]);
      }
      ring.push([...(ring[0] as [number, number])]);
      return ring;
    };
    const simple = star(50_000);
    expect(firstConflict(edgesOf(simple), conflict)).toBeUndefined();
    // Swap two neighbouring spikes' tips: their edges now cross.
    const kinked = star(50_000);
    const a = kinked[10_000] as [number, number];
    kinked[10_000] = kinked[10_002] as [number, number];
    kinked[10_002] = a;
    const found = firstConflict(edgesOf(kinked), conflict);
    expect(found).toBeDefined();
    expect(allPairs(edgesOf(kinked.slice(9_990, 10_010)))).toBe(true);
  });
});
