// Clipping outlines to a bounding box, so the basemap endpoint sends only what a view needs.
// Pure; coordinates are [lon, lat].

export type Point = [number, number];
/** [west, south, east, north] */
export type BBox = [number, number, number, number];

type Edge = (p: Point) => boolean;

function intersect(a: Point, b: Point, axis: 0 | 1, value: number): Point {
  const t = (value - a[axis]) / (b[axis] - a[axis]);
  return axis === 0 ? [value, a[1] + (b[1] - a[1]) * t] : [a[0] + (b[0] - a[0]) * t, value];
}

/**
 * A polygon ring clipped to the box (Sutherland–Hodgman against the four sides). The result is
 * closed, or empty when nothing of the ring is inside. Parts cut off may leave edges along the
 * box's sides: right for a fill drawn without an outline, which is how the basemap draws land.
 */
export function clipRing(ring: readonly Point[], [w, s, e, n]: BBox): Point[] {
  const sides: [Edge, 0 | 1, number][] = [
    [(p) => p[0] >= w, 0, w],
    [(p) => p[0] <= e, 0, e],
    [(p) => p[1] >= s, 1, s],
    [(p) => p[1] <= n, 1, n],
  ];
  let points: Point[] = ring.slice(0, -1) as Point[];
  for (const [inside, axis, value] of sides) {
    if (points.length === 0) break;
    const input = points;
    points = [];
    for (let i = 0; i < input.length; i++) {
      const current = input[i] as Point;
      const previous = input[(i + input.length - 1) % input.length] as Point;
      if (inside(current)) {
        if (!inside(previous)) points.push(intersect(previous, current, axis, value));
        points.push(current);
      } else if (inside(previous)) {
        points.push(intersect(previous, current, axis, value));
      }
    }
  }
  if (points.length < 3) return [];
  return [...points, points[0] as Point];
}

/** A line cut to the box: the runs of segments that touch it (segments kept whole). */
export function clipLine(line: readonly Point[], [w, s, e, n]: BBox): Point[][] {
  const runs: Point[][] = [];
  let run: Point[] = [];
  for (let i = 1; i < line.length; i++) {
    const a = line[i - 1] as Point;
    const b = line[i] as Point;
    const touches =
      Math.max(a[0], b[0]) >= w &&
      Math.min(a[0], b[0]) <= e &&
      Math.max(a[1], b[1]) >= s &&
      Math.min(a[1], b[1]) <= n;
    if (touches) {
      if (run.length === 0) run.push(a);
      run.push(b);
    } else if (run.length > 0) {
      runs.push(run);
      run = [];
    }
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

export function bboxOf(points: readonly Point[]): BBox {
  let w = Infinity;
  let s = Infinity;
  let e = -Infinity;
  let n = -Infinity;
  for (const [x, y] of points) {
    if (x < w) w = x;
    if (x > e) e = x;
    if (y < s) s = y;
    if (y > n) n = y;
  }
  return [w, s, e, n];
}

export const intersects = (a: BBox, b: BBox): boolean =>
  a[0] <= b[2] && a[2] >= b[0] && a[1] <= b[3] && a[3] >= b[1];
