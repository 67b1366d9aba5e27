import { describe, expect, it } from "vitest";
import { HitGrid } from "./hit-grid";

function grid(points: [number, number, number][], width = 400, height = 300): HitGrid {
  const g = new HitGrid(32);
  g.build(
    points.map((p) => p[0]),
    points.map((p) => p[1]),
    points.map((p) => p[2]),
    points.length,
    width,
    height,
  );
  return g;
}

describe("HitGrid", () => {
  it("finds the nearest item within its radius", () => {
    const g = grid([
      [100, 100, 14],
      [120, 100, 14],
      [300, 200, 14],
    ]);
    expect(g.nearest(104, 101)).toBe(0);
    expect(g.nearest(113, 100)).toBe(1);
    expect(g.nearest(300, 213)).toBe(2);
  });

  it("misses beyond the radius, across cell borders too", () => {
    const g = grid([[63, 63, 14]]);
    expect(g.nearest(70, 70)).toBe(0); // the next cell
    expect(g.nearest(63 + 15, 63)).toBe(-1);
    expect(grid([]).nearest(10, 10)).toBe(-1);
  });

  it("honours each item's own radius (a big cluster circle)", () => {
    const g = grid([
      [100, 100, 30],
      [140, 100, 14],
    ]);
    expect(g.nearest(125, 100)).toBe(0);
    expect(g.nearest(131, 100)).toBe(1);
  });

  it("prefers the item drawn last on a tie", () => {
    expect(
      grid([
        [50, 50, 14],
        [50, 50, 14],
      ]).nearest(52, 50),
    ).toBe(1);
  });

  it("keeps items off the screen's edge in the border cells", () => {
    const g = grid([[-5, 310, 14]], 400, 300);
    expect(g.nearest(2, 298)).toBe(0);
  });

  it("agrees with a linear scan on many random points", () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const points: [number, number, number][] = Array.from({ length: 3000 }, () => [
      random() * 800,
      random() * 600,
      14,
    ]);
    const g = grid(points, 800, 600);
    for (let k = 0; k < 300; k++) {
      const x = random() * 800;
      const y = random() * 600;
      let best = -1;
      let bestDistance = Number.POSITIVE_INFINITY;
      points.forEach(([px, py, r], i) => {
        const d = (px - x) ** 2 + (py - y) ** 2;
        if (d <= r * r && d <= bestDistance) {
          best = i;
          bestDistance = d;
        }
      });
      expect(g.nearest(x, y)).toBe(best);
    }
  });
});
