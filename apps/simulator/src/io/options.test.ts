import { describe, expect, it } from "vitest";
import {
  buildReplayConfig,
  buildRunConfig,
  checkFaultTotal,
  parseDuration,
  parseProbability,
  parseStartTime,
  type RawRunOptions,
  UsageError,
} from "./options";

const defaults: RawRunOptions = {
  trucks: "50",
  interval: "20s",
  startTime: "now",
  gpsNoise: "4",
  to: "kafka",
  topic: "gps_location_trucks",
  partitions: "5",
  producers: "2",
  batchSize: "4000",
  duplicateRate: "0",
  reorderRate: "0",
  reorderWindow: "60s",
  lateRate: "0",
  lateBy: "10m",
  malformedRate: "0",
  dropRate: "0",
  silenceRate: "0",
  silenceFor: "5m",
};
const env = { now: 1_000_000, randomSeed: () => 77 };

const message = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error("expected a UsageError");
};

describe("run options", () => {
  it("has the documented defaults", () => {
    const config = buildRunConfig(defaults, env);
    expect(config).toMatchObject({
      trucks: 50,
      intervalMs: 20_000,
      speedup: 1,
      seed: 77,
      startTime: 1_000_000,
      brokers: ["127.0.0.1:9092"],
      topic: "gps_location_trucks",
      partitions: 5,
      to: "kafka",
      json: false,
      status: true,
    });
    expect(config.rate).toBeUndefined();
    expect(config.faults.dropRate).toBe(0);
  });

  it.each([
    [{ trucks: "0" }, '--trucks must be a positive integer (got "0")'],
    [{ trucks: "ten" }, '--trucks must be a positive integer (got "ten")'],
    [{ interval: "soon" }, "--interval must be a duration like 20s, 5m, 1h or 500ms"],
    [{ speedup: "-2" }, '--speedup must be a positive number (got "-2")'],
    [{ rate: "0" }, '--rate must be a positive number (got "0")'],
    [{ count: "1.5" }, "--count must be a positive integer"],
    [{ seed: "abc" }, "--seed must be an integer from 0 to 4294967295"],
    [{ dropRate: "2" }, "--drop-rate must be a probability between 0 and 1"],
    [{ to: "file" }, '--to must be kafka or stdout (got "file")'],
    [{ brokers: "localhost" }, "--brokers must be a comma-separated list of host:port"],
    [{ topic: "bad topic" }, "--topic must be a Kafka topic name"],
    [{ malformedKinds: "not-json,typo" }, "--malformed-kinds takes a comma-separated list of"],
    [{ startTime: "yesterday" }, '--start-time must be "now", an ISO-8601 time or epoch ms'],
    [{ speedup: "2", rate: "100" }, "--speedup and --rate do not mix"],
  ])("rejects %j with one line naming the flag", (override, expected) => {
    const text = message(() => buildRunConfig({ ...defaults, ...override }, env));
    expect(text).toContain(expected);
    expect(text).not.toContain("\n");
  });

  it("reads load mode, limits and faults", () => {
    const config = buildRunConfig(
      {
        ...defaults,
        rate: "max",
        duration: "1m",
        count: "10",
        seed: "5",
        dropRate: "1%",
        to: "stdout",
      },
      { ...env, kafkaBrokers: ["k:1"] },
    );
    expect(config).toMatchObject({
      rate: Number.POSITIVE_INFINITY,
      durationMs: 60_000,
      count: 10,
      seed: 5,
    });
    expect(config.faults.dropRate).toBeCloseTo(0.01);
    expect(config.brokers).toEqual(["k:1"]);
  });

  it("checks that late and reorder rates fit one draw", () => {
    const config = buildRunConfig({ ...defaults, lateRate: "0.6", reorderRate: "0.6" }, env);
    expect(() => checkFaultTotal(config.faults)).toThrow(/at most 1/);
  });
});

describe("value parsers", () => {
  it("parses durations", () => {
    expect(parseDuration("--x", "20s")).toBe(20_000);
    expect(parseDuration("--x", "1.5m")).toBe(90_000);
    expect(parseDuration("--x", "500ms")).toBe(500);
    expect(parseDuration("--x", "2h")).toBe(7_200_000);
    expect(parseDuration("--x", "30")).toBe(30_000);
    expect(() => parseDuration("--x", "0s")).toThrow(UsageError);
  });

  it("parses probabilities and start times", () => {
    expect(parseProbability("--p", "0.25")).toBe(0.25);
    expect(parseProbability("--p", "5%")).toBeCloseTo(0.05);
    expect(parseStartTime("2026-01-01T00:00:00Z", 1)).toBe(Date.UTC(2026, 0, 1));
    expect(parseStartTime("1767225600000", 1)).toBe(1767225600000);
    expect(parseStartTime("now", 42)).toBe(42);
  });
});

describe("replay options", () => {
  const raw = { to: "stdout", topic: "t", partitions: "5" };

  it("detects the format and pace", () => {
    expect(buildReplayConfig("a.csv", raw, env)).toMatchObject({ format: "csv", speedup: 1 });
    expect(buildReplayConfig("a.GPX", { ...raw, speedup: "10" }, env)).toMatchObject({
      format: "gpx",
      speedup: 10,
    });
    expect(buildReplayConfig("-", { ...raw, fast: true }, env)).toMatchObject({
      format: "ndjson",
      speedup: Number.POSITIVE_INFINITY,
    });
  });

  it("asks for --format when the name does not tell", () => {
    expect(message(() => buildReplayConfig("data.txt", raw, env))).toContain("--format");
    expect(
      message(() => buildReplayConfig("a.csv", { ...raw, fast: true, speedup: "2" }, env)),
    ).toContain("do not mix");
  });
});
