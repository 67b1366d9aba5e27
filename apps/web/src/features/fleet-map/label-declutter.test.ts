import { describe, expect, it } from "vitest";
import { labelsToShow } from "./label-declutter";

const box = (left: number, top: number, width = 60, height = 28) => ({
  left,
  top,
  right: left + width,
  bottom: top + height,
});

describe("labelsToShow", () => {
  it("hides a label that overlaps one of higher priority, keeps those that do not", () => {
    expect(labelsToShow([box(100, 100), box(130, 110), box(300, 100)])).toEqual([
      true,
      false,
      true,
    ]);
  });

  it("gives the place to the first in order: the selected or fullest fence is passed first", () => {
    expect(labelsToShow([box(130, 110), box(100, 100)])).toEqual([true, false]);
  });

  it("measures against shown labels only: a hidden label does not hide the next one", () => {
    // b overlaps a (hidden); c overlaps b but not a, so c shows.
    expect(labelsToShow([box(0, 0), box(50, 0), box(105, 0)])).toEqual([true, false, true]);
  });

  it("keeps labels a few pixels apart, and skips labels that are not on the map", () => {
    expect(labelsToShow([box(0, 0), box(61, 0)])).toEqual([true, false]);
    expect(labelsToShow([box(0, 0), box(63, 0)])).toEqual([true, true]);
    expect(labelsToShow([undefined, box(0, 0, 0, 0), box(0, 0)])).toEqual([false, false, true]);
  });
});
