import { describe, expect, it } from "vitest";
import {
  formatAge,
  formatClock,
  formatDateTime,
  formatDistance,
  formatDuration,
  formatLateness,
  formatSpeed,
  utcOffset,
  zoneLabel,
} from "./time";

const at = Date.UTC(2026, 11, 1, 11, 46, 39); // winter: Amsterdam is UTC+01:00
const summer = Date.UTC(2026, 6, 1, 11, 46, 39); // summer: UTC+02:00

describe("one time zone rule", () => {
  it("shows times in the given zone, 24-hour", () => {
    expect(formatClock(at, "UTC")).toBe("11:46:39");
    expect(formatClock(at, "Europe/Amsterdam")).toBe("12:46:39");
    expect(formatDateTime(at, "Europe/Amsterdam")).toBe("2026-12-01 12:46:39");
    expect(formatClock(Date.UTC(2026, 11, 1, 23, 5, 0), "UTC")).toBe("23:05:00");
  });

  it("names the zone with its offset at that instant (daylight saving time included)", () => {
    expect(zoneLabel(at, "Europe/Amsterdam")).toBe("Europe/Amsterdam (UTC+01:00)");
    expect(utcOffset(summer, "Europe/Amsterdam")).toBe("UTC+02:00");
    expect(utcOffset(at, "UTC")).toBe("UTC+00:00");
    expect(utcOffset(at, "America/New_York")).toBe("UTC-05:00");
  });
});

describe("relative ages", () => {
  it("says how long ago a past timestamp was", () => {
    expect(formatAge(at - 12_000, at)).toBe("12 s ago");
    expect(formatAge(at - 150_000, at)).toBe("2 min ago");
    expect(formatAge(at - 3 * 3_600_000 - 5 * 60_000, at)).toBe("3 h 5 min ago");
    expect(formatAge(at - 2 * 86_400_000, at)).toBe("2 d ago");
  });

  it("never says '0 s ago' for a timestamp in the future", () => {
    // The bug report: a fix at 11:46:39 seen at 11:27 (the demo runs at 10x).
    const seenAt = Date.UTC(2026, 11, 1, 11, 27, 0);
    expect(formatAge(at, seenAt)).toBe("19 min ahead of this clock");
    expect(formatAge(at + 4_000, at)).toBe("4 s ahead of this clock");
    for (const ahead of [501, 1_000, 60_000, 7_200_000]) {
      expect(formatAge(at + ahead, at)).not.toMatch(/ago/);
    }
  });

  it("calls less than half a second either way 'just now'", () => {
    expect(formatAge(at, at)).toBe("just now");
    expect(formatAge(at + 400, at)).toBe("just now");
    expect(formatAge(at - 499, at)).toBe("just now");
  });

  it("says how late an alert arrived, or that it arrived before its event time", () => {
    expect(formatLateness(at, at + 1_234)).toBe("1.2 s late");
    expect(formatLateness(at, at + 95_000)).toBe("1 min late");
    expect(formatLateness(at, at - 8 * 60_000)).toBe("8 min before its event time");
  });
});

describe("units", () => {
  it("formats durations, speeds and distances", () => {
    expect(formatDuration(59_400)).toBe("59 s");
    expect(formatDuration(3_600_000)).toBe("1 h");
    expect(formatDuration(-90_000)).toBe("1 min");
    expect(formatSpeed(71.46)).toBe("71.5 km/h");
    expect(formatSpeed(104.4)).toBe("104 km/h");
    expect(formatDistance(850)).toBe("850 m");
    expect(formatDistance(1_234)).toBe("1.23 km");
    expect(formatDistance(12_345)).toBe("12.3 km");
  });
});
