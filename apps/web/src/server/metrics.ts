import type { TruckPosition } from "@fleetstream/contracts";
import { Counter, collectDefaultMetrics, Gauge, Histogram, type Registry } from "prom-client";
import type { LiveFeed } from "./feeds/live-feed";

/**
 * The web app's Prometheus metrics, served on GET /metrics of its own port (README "Metrics").
 * Counts and sizes are read from the feeds when scraped; delays are observed as positions are
 * pushed to browsers.
 */
export function createWebMetrics(
  registry: Registry,
  sources: {
    feeds: readonly LiveFeed[];
    sockets: () => number;
    trucks: () => number;
    /** The flush pacer's current gap between pushes, ms. */
    flushGapMs: () => number;
  },
) {
  const registers = [registry];
  collectDefaultMetrics({ register: registry, prefix: "fleetstream_web_" });
  new Counter({
    name: "fleetstream_web_feed_records_total",
    help: "Topic records read by the live feeds, by topic and outcome (applied, skipped as invalid)",
    labelNames: ["topic", "outcome"] as const,
    registers,
    collect() {
      this.reset();
      for (const feed of sources.feeds) {
        for (const [topic, counts] of Object.entries(feed.counts())) {
          this.inc({ topic, outcome: "applied" }, counts.applied);
          this.inc({ topic, outcome: "skipped" }, counts.skipped);
        }
      }
    },
  });
  new Gauge({
    name: "fleetstream_web_feed_up",
    help: "1 while the feed's topic reader runs, 0 once it stopped (the channel no longer updates)",
    labelNames: ["feed"] as const,
    registers,
    collect() {
      for (const feed of sources.feeds) this.set({ feed: feed.name }, feed.health().ok ? 1 : 0);
    },
  });
  new Gauge({
    name: "fleetstream_web_sockets",
    help: "Browsers connected over socket.io",
    registers,
    collect() {
      this.set(sources.sockets());
    },
  });
  new Gauge({
    name: "fleetstream_web_trucks",
    help: "Trucks in the live view (latest position of each)",
    registers,
    collect() {
      this.set(sources.trucks());
    },
  });
  const pushDelay = new Histogram({
    name: "fleetstream_web_position_push_seconds",
    help: "When a position reached browsers, measured from the processor handling the fix (since=processed) and from the fix's event time (since=event)",
    labelNames: ["since"] as const,
    // From 5 ms: idle, a position is pushed a few ms after it arrives (flush-pacer.ts).
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
    registers,
  });
  const flushSeconds = new Histogram({
    name: "fleetstream_web_flush_seconds",
    help: "Time to push one round of coalesced live updates to every browser",
    buckets: [0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers,
  });
  new Gauge({
    name: "fleetstream_web_flush_gap_seconds",
    help: "Time now kept between two pushes of live positions: 10x the last push's CPU time, from 16 ms up to the longest wait (grows under load)",
    registers,
    collect() {
      this.set(sources.flushGapMs() / 1000);
    },
  });

  // Bound once: observing with a labels object hashes it on every call, twice per position.
  const sinceProcessed = pushDelay.labels("processed");
  const sinceEvent = pushDelay.labels("event");

  return {
    positionsPushed(positions: readonly TruckPosition[], at: number): void {
      for (const p of positions) {
        sinceProcessed.observe(Math.max(0, at - p.processedAt) / 1000);
        sinceEvent.observe(Math.max(0, at - p.eventTime) / 1000);
      }
    },
    flushed(seconds: number): void {
      flushSeconds.observe(seconds);
    },
  };
}
