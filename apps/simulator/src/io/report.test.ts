import { describe, expect, it } from "vitest";
import { formatClock, formatStatus, formatSummary, RateMeter } from "./report";

describe("report", () => {
  it("formats elapsed time", () => {
    expect(formatClock(83_000)).toBe("1:23");
    expect(formatClock(3_723_000)).toBe("1:02:03");
  });

  it("shows sent, rate, errors and elapsed on one status line", () => {
    const line = formatStatus(
      { queued: 10, sent: 12_345, failed: 0, elapsedMs: 61_000, simTime: 0 },
      2_500,
    );
    expect(line).toBe(
      "fleet-sim | sent 12,345 | 2,500/s | errors 0 | elapsed 1:01 | sim 1970-01-01T00:00:00Z",
    );
  });

  it("summarizes a run with what was injected", () => {
    const text = formatSummary({
      command: "run",
      stoppedBy: "duration",
      target: "kafka",
      topic: "gps_location_trucks",
      brokers: ["127.0.0.1:9092"],
      sent: 1000,
      failed: 0,
      elapsedMs: 2000,
      ratePerSecond: 500,
      generated: 1000,
      seed: 1,
      startTime: "2026-01-01T00:00:00.000Z",
      trucks: 50,
      intervalMs: 20_000,
      simulatedMs: 400_000,
      injected: {
        duplicates: 1,
        reordered: 2,
        late: 3,
        malformed: 4,
        malformedByKind: { "not-json": 4 },
        dropped: 5,
        silences: 1,
        silenced: 6,
      },
    });
    expect(text).toContain(
      "sent 1,000 records to Kafka topic gps_location_trucks at 127.0.0.1:9092",
    );
    expect(text).toContain("malformed 4 (not-json 4)");
    expect(text).toContain("seed 1, start 2026-01-01T00:00:00.000Z");
  });

  it("measures the rate over a sliding window", () => {
    const meter = new RateMeter(1_000);
    meter.sample(0, 0);
    expect(meter.sample(500, 500)).toBeCloseTo(1_000);
    expect(meter.sample(3_000, 1_000)).toBeCloseTo(200, 0);
  });
});
