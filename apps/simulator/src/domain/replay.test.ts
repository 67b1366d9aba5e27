import { decodeGpsFix } from "@fleetstream/contracts";
import { describe, expect, it } from "vitest";
import {
  completeFixes,
  parseCsv,
  parseGpx,
  parseNdjsonLine,
  parseTime,
  replayEmissions,
  shiftTimes,
  splitCsvLine,
  toTruckId,
} from "./replay";

const line =
  '{"v":1,"truckId":"T-0001","seq":5,"lat":52.1,"lon":5.1,"speedKmh":50,"headingDeg":90,"eventTime":1764000000000}';

describe("NDJSON replay", () => {
  it("keeps lines byte for byte and takes key and time from valid ones", () => {
    expect(parseNdjsonLine(`  ${line}  `)).toMatchObject({
      key: "T-0001",
      value: line,
      eventTime: 1_764_000_000_000,
    });
    expect(parseNdjsonLine("")).toBeUndefined();
    expect(parseNdjsonLine("null")).toEqual({ key: null, value: null });
    expect(parseNdjsonLine('{"truckId":"T-9","eventTime":5,"lat":91}')).toEqual({
      key: "T-9",
      value: '{"truckId":"T-9","eventTime":5,"lat":91}',
      eventTime: 5,
    });
    expect(parseNdjsonLine('{"truck')).toEqual({ key: null, value: '{"truck' });
  });

  it("sends records at their event times, never earlier than the previous one", () => {
    const emissions = replayEmissions([
      { key: "a", value: "1", eventTime: 1_000 },
      { key: "a", value: "2", eventTime: 21_000 },
      { key: "a", value: "late", eventTime: 5_000 },
      { key: null, value: "broken" },
      { key: "a", value: "3", eventTime: 41_000 },
    ]);
    expect(emissions.map((e) => e.emitAt)).toEqual([1_000, 21_000, 21_000, 21_000, 41_000]);
  });

  it("moves event times of valid fixes", () => {
    const [moved] = shiftTimes(
      [parseNdjsonLine(line) as NonNullable<ReturnType<typeof parseNdjsonLine>>],
      500,
    );
    expect(moved?.eventTime).toBe(1_764_000_000_500);
    expect(moved?.value).toContain('"eventTime":1764000000500');
  });
});

describe("CSV replay", () => {
  it("splits quoted fields", () => {
    expect(splitCsvLine('a,"b,c","d ""e"""')).toEqual(["a", "b,c", 'd "e"']);
  });

  it("reads ISO, epoch-second and epoch-ms times", () => {
    expect(parseTime("2026-01-01T00:00:00Z")).toBe(Date.UTC(2026, 0, 1));
    expect(parseTime("1767225600")).toBe(Date.UTC(2026, 0, 1));
    expect(parseTime("1767225600000")).toBe(Date.UTC(2026, 0, 1));
    expect(parseTime("soon")).toBeUndefined();
  });

  it("reads columns by name and fills in seq, speed and heading", () => {
    const csv = [
      "timestamp,truck_id,latitude,longitude",
      "2026-01-01T00:00:00Z,T-7,52.0,5.0",
      "2026-01-01T00:00:20Z,T-7,52.0,5.005",
      "2026-01-01T00:00:40Z,T-8,52.1,5.1",
      "",
    ].join("\n");
    const records = completeFixes(parseCsv(csv, "f.csv", "X"), "f.csv");
    expect(records).toHaveLength(3);
    const [a, b, c] = records.map((r) => decodeGpsFix(r.value));
    expect(a).toMatchObject({ ok: true, value: { truckId: "T-7", seq: 1767225600, speedKmh: 0 } });
    expect(b).toMatchObject({ ok: true, value: { seq: 1767225601, headingDeg: 90 } });
    // 343 m in 20 s = ~61.7 km/h.
    if (b?.ok) expect(b.value.speedKmh).toBeCloseTo(61.7, 0);
    expect(c).toMatchObject({ ok: true, value: { truckId: "T-8" } });
  });

  it("names the line of a bad row", () => {
    expect(() => parseCsv("lat,lon,time\n52,5,x\n", "f.csv", "X")).toThrow(/^f\.csv:2: eventTime/);
    expect(() => parseCsv("lat,time\n52,5\n", "f.csv", "X")).toThrow(
      /^f\.csv:1: the header has no lon/,
    );
    expect(() => completeFixes(parseCsv("lat,lon,time\n95,5,1\n", "f.csv", "X"), "f.csv")).toThrow(
      /lat/,
    );
  });
});

describe("GPX replay", () => {
  const gpx = `<?xml version="1.0"?>
<gpx version="1.1" creator="test"><trk><name>Truck 12 / Day 1</name><trkseg>
  <trkpt lat="52.0" lon="5.0"><ele>1</ele><time>2026-01-01T00:00:10Z</time></trkpt>
  <trkpt lat="52.001" lon="5.0"><time>2026-01-01T00:00:20Z</time></trkpt>
  <trkpt lat="52.002" lon="5.0"/>
</trkseg></trk>
<trk><trkseg><trkpt lat='51.0' lon='4.0'><time>2026-01-01T00:00:15Z</time><speed>10</speed><course>45</course></trkpt></trkseg></trk>
</gpx>`;

  it("reads each track as a truck and merges points by time", () => {
    const partials = parseGpx(gpx, "t.gpx", "GPX");
    expect(partials.map((p) => p.truckId)).toEqual(["Truck-12-Day-1", "GPX-2", "Truck-12-Day-1"]);
    expect(partials[1]).toMatchObject({ speedKmh: 36, headingDeg: 45 });
    const fixes = completeFixes(partials, "t.gpx").map((r) => decodeGpsFix(r.value));
    expect(fixes.every((f) => f.ok)).toBe(true);
    const last = fixes[2];
    if (last?.ok) expect(last.value.headingDeg).toBeCloseTo(0, 0);
  });

  it("says so when there is nothing to replay", () => {
    expect(() => parseGpx("<gpx></gpx>", "e.gpx", "G")).toThrow(/e\.gpx: no track points/);
  });

  it("makes track names into valid truck ids", () => {
    expect(toTruckId("  Truck #1 (north) ", "F")).toBe("Truck-1-north");
    expect(toTruckId("###", "F")).toBe("F");
  });
});
