import type { FleetWindowPoint } from "@fleetstream/contracts";
import { describe, expect, it } from "vitest";
import { headlineWindow } from "./kpis";

const w = (windowStart: number, final: boolean) => ({ windowStart, final }) as FleetWindowPoint;

describe("fleet KPIs", () => {
  it("show the newest final minute, else the one still filling, else nothing", () => {
    expect(headlineWindow([])).toBeUndefined();
    expect(headlineWindow([w(0, false)])).toEqual({ window: w(0, false), final: false });
    expect(headlineWindow([w(0, true), w(60, true), w(120, false)])).toEqual({
      window: w(60, true),
      final: true,
    });
  });
});
