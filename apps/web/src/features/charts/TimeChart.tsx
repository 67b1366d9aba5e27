"use client";

import { useEffect, useRef } from "react";
import type uPlot from "uplot";
import { formatClock } from "../../shared/time";

// uPlot is a chunk of its own, loaded by the first chart that draws: the console's first load
// (and the socket it opens) does not wait for 130 KB of charting code.
const loadUPlot = () => import("uplot").then((module) => module.default);

export interface ChartSeries {
  label: string;
  colour: string;
  values: readonly (number | null)[];
  dash?: number[];
  /** Drawn as steps (one value per window) instead of a line. */
  stepped?: boolean;
}

export interface TimeChartProps {
  /** The accessible name of the chart (a text summary goes in `summary`). */
  label: string;
  /** What the chart shows, in words, for screen readers and as the figure caption. */
  summary: string;
  /** x values, epoch ms. */
  times: readonly number[];
  series: readonly ChartSeries[];
  height: number;
  /** A compact chart without axes or legend (the header sparkline). */
  compact?: boolean;
  unit?: string;
  /** The zone of the time axis (the UI's one zone). */
  timeZone: string;
}

/**
 * A time-series chart drawn with uPlot (canvas, fast enough to redraw on every live update).
 * Times are shown in the browser's zone, like the rest of the UI. The canvas is decorative for
 * assistive technology: the figure is named and captioned with a text summary.
 */
export function TimeChart({
  label,
  summary,
  times,
  series,
  height,
  compact = false,
  unit = "",
  timeZone,
}: TimeChartProps) {
  const holderRef = useRef<HTMLDivElement>(null);
  const chartRef = useRef<uPlot | null>(null);
  /** The newest data: a chart created after uPlot has loaded starts from it. */
  const dataRef = useRef<uPlot.AlignedData>([[]]);
  const shapeKey = `${compact}|${height}|${timeZone}|${series.map((s) => `${s.label}:${s.colour}`).join(",")}`;

  // (Re)create the chart when its shape changes.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the data is pushed by the effect below
  useEffect(() => {
    const holder = holderRef.current;
    if (!holder) return;
    let chart: uPlot | undefined;
    let resize: ResizeObserver | undefined;
    let removed = false;
    void loadUPlot().then((UPlot) => {
      if (removed) return;
      chart = new UPlot(chartOptions(UPlot, holder), dataRef.current, holder);
      chartRef.current = chart;
      const drawn = chart;
      resize = new ResizeObserver(() =>
        drawn.setSize({ width: Math.max(100, holder.clientWidth), height }),
      );
      resize.observe(holder);
    });
    return () => {
      removed = true;
      resize?.disconnect();
      chart?.destroy();
      chartRef.current = null;
    };
  }, [shapeKey]);

  useEffect(() => {
    dataRef.current = [times.map((t) => t / 1000), ...series.map((s) => [...s.values])];
    chartRef.current?.setData(dataRef.current);
  }, [times, series]);

  function chartOptions(UPlot: typeof uPlot, holder: HTMLDivElement): uPlot.Options {
    return {
      width: Math.max(100, holder.clientWidth),
      height,
      legend: { show: false },
      cursor: compact ? { show: false } : { drag: { x: false, y: false } },
      scales: {
        // A single window still gets a minute either side: uPlot widens one time value to a
        // day on its own (min and max differ), which drew a day-wide axis of "00:00" ticks.
        x: {
          time: true,
          range: (u, min, max) => {
            const only = u.data[0]?.length === 1 ? u.data[0][0] : undefined;
            return only === undefined ? [min, max] : [only - 60, only + 60];
          },
        },
        y: { range: (_u, min, max) => [0, Math.max(10, max * 1.1, min)] },
      },
      axes: compact
        ? [{ show: false }, { show: false }]
        : [
            {
              stroke: "#5b6776",
              grid: { stroke: "#e5e9ef" },
              ticks: { stroke: "#d6dde5" },
              // 24-hour clock in the UI's zone, like every other time on the page.
              // Seconds only when ticks are less than a minute apart.
              values: (_u, splits) =>
                splits.map((s) =>
                  formatClock(s * 1000, timeZone).slice(
                    0,
                    splits.length > 1 && (splits[1] ?? 0) - (splits[0] ?? 0) < 60 ? 8 : 5,
                  ),
                ),
            },
            {
              stroke: "#5b6776",
              grid: { stroke: "#e5e9ef" },
              ticks: { stroke: "#d6dde5" },
              size: 40,
              ...(unit ? { label: unit, labelSize: 14 } : {}),
            },
          ],
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: s.colour,
          width: compact ? 1.5 : 2,
          ...(s.dash ? { dash: s.dash } : {}),
          ...(s.stepped ? { paths: UPlot.paths.stepped?.({ align: 1 }) } : {}),
          // A lone value has no line to draw: show it as a point.
          points: { show: (u: uPlot) => (u.data[0]?.length ?? 0) === 1 },
          value: (_u: uPlot, v: number | null) =>
            v === null ? "—" : `${v.toFixed(1)}${unit ? ` ${unit}` : ""}`,
        })),
      ],
    };
  }

  return (
    <figure className={`time-chart${compact ? " time-chart--compact" : ""}`} aria-label={label}>
      <div ref={holderRef} className="time-chart__canvas" aria-hidden="true" />
      {compact ? null : (
        <ul className="time-chart__legend" aria-hidden="true">
          {series.map((s) => (
            <li key={s.label}>
              <span
                className={`time-chart__key${s.dash ? " time-chart__key--dashed" : ""}`}
                style={{ borderColor: s.colour }}
              />
              {s.label}
            </li>
          ))}
        </ul>
      )}
      <figcaption className={compact ? "visually-hidden" : "time-chart__summary"}>
        {summary}
      </figcaption>
    </figure>
  );
}
