import { describe, expect, it } from "vitest";
import { type BBox, clipLine, clipRing, type Point } from "./clip";

const box: BBox = [0, 0, 10, 10];

describe("clipping outlines to a box", () => {
  it("keeps a ring inside whole and drops one outside", () => {
    const inside: Point[] = [
      [1, 1],
      [2, 1],
      [2, 2],
      [1, 1],
    ];
    expect(clipRing(inside, box)).toEqual(inside);
    expect(
      clipRing(
        [
          [20, 20],
          [21, 20],
          [21, 21],
          [20, 20],
        ],
        box,
      ),
    ).toEqual([]);
  });

  it("cuts a ring that crosses the box at its sides, closed", () => {
    const square: Point[] = [
      [5, 5],
      [15, 5],
      [15, 15],
      [5, 15],
      [5, 5],
    ];
    const clipped = clipRing(square, box);
    expect(clipped[0]).toEqual(clipped[clipped.length - 1]);
    const xs = clipped.map((p) => p[0]);
    const ys = clipped.map((p) => p[1]);
    expect([Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)]).toEqual([
      5, 10, 5, 10,
    ]);
  });

  it("cuts a box out of a ring that surrounds it", () => {
    const big: Point[] = [
      [-5, -5],
      [15, -5],
      [15, 15],
      [-5, 15],
      [-5, -5],
    ];
    const clipped = clipRing(big, box);
    expect(new Set(clipped.map((p) => p.join(",")))).toEqual(
      new Set(["0,0", "10,0", "10,10", "0,10"]),
    );
  });

  it("keeps the runs of a line that touch the box", () => {
    const line: Point[] = [
      [-5, 5],
      [5, 5],
      [20, 5],
      [30, 5],
      [5, 8],
      [6, 8],
    ];
    expect(clipLine(line, box)).toEqual([
      [
        [-5, 5],
        [5, 5],
        [20, 5],
      ],
      [
        [30, 5],
        [5, 8],
        [6, 8],
      ],
    ]);
  });
});
