"use client";

import type { ScopeSpeedWindow, TruckSpeedWindow } from "@fleetstream/contracts";
import { useMemo } from "react";
import { formatClock, formatSpeed } from "../../shared/time";
import { TimeChart } from "../charts/TimeChart";

const HOUR_MS = 3_600_000;

/** The windows of the hour up to the newest one. */
export function lastHour<W extends { windowStart: number }>(windows: readonly W[]): W[] {
  const newest = windows[windows.length - 1]?.windowStart;
  return newest === undefined ? [] : windows.filter((w) => w.windowStart > newest - HOUR_MS);
}

/** A truck's speed per minute (tumbling windows): average and highest, and the threshold. */
export function TruckSpeedChart({
  windows,
  thresholdKmh,
  timeZone,
}: {
  windows: readonly TruckSpeedWindow[];
  thresholdKmh: number;
  timeZone: string;
}) {
  const hour = useMemo(() => lastHour(windows), [windows]);
  const series = useMemo(
    () => [
      { label: "Average", colour: "#1f6feb", values: hour.map((w) => w.avgSpeedKmh) },
      { label: "Highest", colour: "#d1495b", values: hour.map((w) => w.maxSpeedKmh) },
      { label: "Threshold", colour: "#9a6700", dash: [4, 4], values: hour.map(() => thresholdKmh) },
    ],
    [hour, thresholdKmh],
  );
  const times = useMemo(() => hour.map((w) => w.windowStart), [hour]);
  const newest = hour[hour.length - 1];
  const summary = newest
    ? `${hour.length} minute${hour.length === 1 ? "" : "s"} up to ${formatClock(newest.windowEnd, timeZone)}; ` +
      `last minute average ${formatSpeed(newest.avgSpeedKmh)}, highest ${formatSpeed(newest.maxSpeedKmh)}` +
      `${newest.final ? "" : " (still open)"}; ${hour.filter((w) => w.maxSpeedKmh > thresholdKmh).length} minute(s) over ${thresholdKmh} km/h`
    : "No speed windows for this truck yet.";
  return (
    <TimeChart
      label="Speed per minute, last hour"
      summary={summary}
      times={times}
      series={series}
      height={160}
      unit="km/h"
      timeZone={timeZone}
    />
  );
}

/**
 * The line under a geofence's chart. A fence drawn over trucks shows them inside at once (their
 * ENTER alerts), while its first minute comes from the speed-window lane a moment later: the
 * line then says so instead of "no trucks".
 */
export function geofenceWindowsSummary(
  hour: readonly ScopeSpeedWindow[],
  insideNow: number,
  timeZone: string,
): string {
  const newest = hour[hour.length - 1];
  if (newest)
    return `${hour.length} minute(s) up to ${formatClock(newest.windowEnd, timeZone)}; last minute ${newest.activeTrucks} truck(s), average ${formatSpeed(newest.avgSpeedKmh)}`;
  if (insideNow > 0)
    return `${insideNow} truck(s) inside now; their first minute shows here once their fixes inside are counted (within seconds).`;
  return "No trucks reported inside this fence yet.";
}

/** A geofence's windows: trucks inside and their average speed per minute. */
export function GeofenceSpeedChart({
  windows,
  insideNow,
  timeZone,
}: {
  windows: readonly ScopeSpeedWindow[];
  /** Trucks inside the fence now (its occupancy), for the line shown before the first window. */
  insideNow: number;
  timeZone: string;
}) {
  const hour = useMemo(() => lastHour(windows), [windows]);
  const series = useMemo(
    () => [
      { label: "Average speed", colour: "#1f6feb", values: hour.map((w) => w.avgSpeedKmh) },
      {
        label: "Trucks",
        colour: "#66a182",
        stepped: true,
        values: hour.map((w) => w.activeTrucks),
      },
      {
        label: "Speeding trucks",
        colour: "#d1495b",
        stepped: true,
        values: hour.map((w) => w.speedingTrucks),
      },
    ],
    [hour],
  );
  const times = useMemo(() => hour.map((w) => w.windowStart), [hour]);
  const summary = geofenceWindowsSummary(hour, insideNow, timeZone);
  return (
    <TimeChart
      label="Geofence windows, last hour"
      summary={summary}
      times={times}
      series={series}
      height={140}
      timeZone={timeZone}
    />
  );
}
