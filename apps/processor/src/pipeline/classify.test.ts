import type { GpsFix } from "@fleetstream/contracts";
import type { ConsumedRecord } from "@fleetstream/eventlog";
import { describe, expect, it } from "vitest";
import { classifyRecord } from "./classify";

const fix = (truckId: string, seq: number): GpsFix => ({
  truckId,
  seq,
  lat: 52,
  lon: 5,
  speedKmh: 50,
  headingDeg: 90,
  eventTime: 1_764_000_000_000 + seq * 20_000,
});

const record = (value: string | null, key: string | null = "T1"): ConsumedRecord => ({
  topic: "gps_location_trucks",
  partition: 0,
  offset: 7,
  key,
  keyBytes: key === null ? null : Buffer.from(key),
  value: value === null ? null : Buffer.from(value),
  headers: {},
  headerBytes: {},
  timestamp: 0,
});

describe("classifyRecord", () => {
  it("accepts a valid fix whose key is its truck", () => {
    expect(classifyRecord(record(JSON.stringify(fix("T1", 1))))).toMatchObject({ kind: "ok" });
  });

  it("sends bad records to the dead-letter queue with a reason naming the field", () => {
    expect(classifyRecord(record(JSON.stringify({ ...fix("T1", 1), lat: 200 })))).toMatchObject({
      kind: "dlq",
      reason: expect.stringContaining("lat"),
    });
    expect(classifyRecord(record("garbage"))).toMatchObject({ kind: "dlq", reason: /not JSON/ });
    expect(classifyRecord(record(JSON.stringify(fix("T2", 1)), "T1"))).toMatchObject({
      kind: "dlq",
      reason: expect.stringContaining("key"),
    });
    // a keyless record would land on any partition and split the truck's state
    expect(classifyRecord(record(JSON.stringify(fix("T1", 1)), null))).toMatchObject({
      kind: "dlq",
      reason: expect.stringMatching(/^key: missing/),
    });
  });

  it("dead-letters a fix dated beyond the latest accepted event time, and accepts one at it", () => {
    const at = fix("T1", 1);
    const latest = { eventTime: at.eventTime, setting: "600000 ms" };
    expect(classifyRecord(record(JSON.stringify(at)), latest)).toMatchObject({ kind: "ok" });
    const ahead = { ...at, eventTime: at.eventTime + 3_600_000 };
    expect(classifyRecord(record(JSON.stringify(ahead)), latest)).toMatchObject({
      kind: "dlq",
      reason: expect.stringMatching(/^eventTime: .* is 3600 s beyond the latest accepted/),
    });
  });
});
