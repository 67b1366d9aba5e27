import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/**
 * The processor's Prometheus metrics (README "Metrics"). Rates come from the counters
 * (`rate(fleetstream_processor_records_total[1m])`); lag and state sizes are gauges set by the
 * processor's stats loop.
 */
export function createProcessorMetrics(registry: Registry) {
  const registers = [registry];
  return {
    records: new Counter({
      name: "fleetstream_processor_records_total",
      help: "Input records by outcome: consumed, applied (valid, stored at the next checkpoint), dead_lettered, refused (invalid, in a lane that leaves dead letters to the positions lane), skipped (already applied), replayed (already applied, processed again for the state after a restore)",
      labelNames: ["outcome"] as const,
      registers,
    }),
    published: new Counter({
      name: "fleetstream_processor_published_records_total",
      help: "Records published, by topic",
      labelNames: ["topic"] as const,
      registers,
    }),
    checkpoints: new Counter({
      name: "fleetstream_processor_checkpoints_total",
      help: "Checkpoints written, by result: ok, retried (a failed write tried again), replayed (partition restored and replayed)",
      labelNames: ["result"] as const,
      registers,
    }),
    lag: new Gauge({
      name: "fleetstream_processor_consumer_lag",
      help: "Records in the input partition not yet processed (end offset - next offset)",
      labelNames: ["partition"] as const,
      registers,
    }),
    checkpointLag: new Gauge({
      name: "fleetstream_processor_checkpoint_lag",
      help: "Records in the input partition not yet in the database (end offset - checkpoint)",
      labelNames: ["partition"] as const,
      registers,
    }),
    batchSeconds: new Histogram({
      name: "fleetstream_processor_batch_seconds",
      help: "Time to apply one input batch in memory (decode, operators, live publish started)",
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    batchRecords: new Histogram({
      name: "fleetstream_processor_batch_records",
      help: "Records per input batch",
      buckets: [1, 10, 100, 500, 1_000, 5_000, 10_000, 20_000, 50_000],
      registers,
    }),
    checkpointSeconds: new Histogram({
      name: "fleetstream_processor_checkpoint_write_seconds",
      help: "Time to write one checkpoint: publish + database transaction",
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    checkpointRows: new Histogram({
      name: "fleetstream_processor_checkpoint_records",
      help: "Input records covered by one checkpoint",
      buckets: [1, 10, 100, 1_000, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000],
      registers,
    }),
    eventToApplied: new Histogram({
      name: "fleetstream_processor_event_to_applied_seconds",
      help: "From a fix's event time to the processor applying it (negative: event time ahead of the clock, counted as 0)",
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 3600],
      registers,
    }),
    stateEntries: new Gauge({
      name: "fleetstream_processor_state_entries",
      help: "Entries of operator state held in memory",
      labelNames: ["operator", "kind"] as const,
      registers,
    }),
    partitions: new Gauge({
      name: "fleetstream_processor_assigned_partitions",
      help: "Input partitions assigned to this instance",
      registers,
    }),
  };
}

export type ProcessorMetrics = ReturnType<typeof createProcessorMetrics>;
