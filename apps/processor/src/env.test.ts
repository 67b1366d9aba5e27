import { describe, expect, it } from "vitest";
import { readProcessorEnv } from "./env";
import { laneGroupId } from "./lanes";

const base = { KAFKA_BROKERS: "127.0.0.1:9092", DATABASE_URL: "postgresql://db/fleet" };

describe("PROCESSOR_OPERATORS", () => {
  it("runs every operator unless told otherwise, in one consumer group", () => {
    const env = readProcessorEnv(base);
    expect(env.PROCESSOR_OPERATORS).toEqual(["positions", "geofence", "windows"]);
    expect(laneGroupId(env.PROCESSOR_GROUP_ID, env.PROCESSOR_OPERATORS)).toBe(
      "fleetstream-processor",
    );
  });

  it("takes a lane in any order and names its group after it", () => {
    const env = readProcessorEnv({ ...base, PROCESSOR_OPERATORS: " geofence,positions" });
    expect(env.PROCESSOR_OPERATORS).toEqual(["positions", "geofence"]);
    expect(laneGroupId("fs", env.PROCESSOR_OPERATORS)).toBe("fs-positions-geofence");
    expect(laneGroupId("fs", ["windows"])).toBe("fs-windows");
  });

  it.each([
    ["windows,speed", /PROCESSOR_OPERATORS/],
    ["windows,windows", /PROCESSOR_OPERATORS.*twice/],
  ])("refuses %s at start, naming the setting", (value, message) => {
    expect(() => readProcessorEnv({ ...base, PROCESSOR_OPERATORS: value })).toThrow(message);
  });
});
