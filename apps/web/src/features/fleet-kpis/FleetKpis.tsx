"use client";

import { useMemo } from "react";
import { useStore } from "zustand";
import { formatClock, formatSpeed } from "../../shared/time";
import { TimeChart } from "../charts/TimeChart";
import { useConsole } from "../shell/console-context";
import { headlineWindow } from "./kpis";

/**
 * Fleet KPIs from the fleet-wide speed windows: trucks reporting, average and highest speed,
 * trucks over the threshold, for the newest final minute; and a sparkline of the last hour.
 */
export function FleetKpis() {
  const { live, timeZone, config } = useConsole();
  const windows = useStore(live.windows, (s) => s.fleet);
  const headline = headlineWindow(windows);
  const chart = useMemo(
    () => ({
      times: windows.map((w) => w.windowStart),
      series: [
        { label: "Average", colour: "#1f6feb", values: windows.map((w) => w.avgSpeedKmh) },
        { label: "Highest", colour: "#d1495b", values: windows.map((w) => w.maxSpeedKmh) },
        {
          label: "Threshold",
          colour: "#9a6700",
          dash: [4, 4],
          values: windows.map(() => config.speedingThresholdKmh),
        },
      ],
    }),
    [windows, config.speedingThresholdKmh],
  );
  if (!headline) {
    return (
      <p className="kpis kpis--empty" aria-live="polite">
        Fleet speed: waiting for the first window…
      </p>
    );
  }
  const w = headline.window;
  const minute = `${formatClock(w.windowStart, timeZone).slice(0, 5)}–${formatClock(w.windowEnd, timeZone).slice(0, 5)}`;
  return (
    <section className="kpis" aria-label="Fleet speed">
      <dl className="kpis__facts">
        <div>
          <dt>Reporting</dt>
          <dd data-testid="kpi-reporting">{w.activeTrucks}</dd>
        </div>
        <div>
          <dt>Avg</dt>
          <dd>{formatSpeed(w.avgSpeedKmh)}</dd>
        </div>
        <div>
          <dt>Max</dt>
          <dd>{w.maxSpeedKmh === null ? "—" : formatSpeed(w.maxSpeedKmh)}</dd>
        </div>
        <div>
          <dt>Over {config.speedingThresholdKmh}</dt>
          <dd>{w.speedingTrucks}</dd>
        </div>
      </dl>
      <span className="kpis__window">{headline.final ? minute : `${minute} (so far)`}</span>
      <div className="kpis__chart">
        <TimeChart
          compact
          height={36}
          label="Fleet speed, last hour"
          summary={`${windows.length} minutes of fleet windows; newest average ${formatSpeed(w.avgSpeedKmh)}`}
          times={chart.times}
          series={chart.series}
          unit="km/h"
          timeZone={timeZone}
        />
      </div>
    </section>
  );
}
