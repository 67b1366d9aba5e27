import { DEFAULT_GPS_PARTITIONS } from "@fleetstream/contracts";
import {
  brokersVar,
  kafkaSecurityVars,
  logLevelVar,
  parseEnv,
  sessionTimeoutVar,
} from "@fleetstream/service";
import { z } from "zod";
import { PROCESSOR_OPERATOR_NAMES } from "./lanes";

/**
 * Which operators a processor process runs (a lane), comma-separated; default all. Lanes of one
 * input run as separate processes, each in its own consumer group, so a slow lane (the speed
 * windows' minute closes) never holds another's checkpoints (positions stored, alerts).
 */
const processorOperatorsVar = z
  .string()
  .default(PROCESSOR_OPERATOR_NAMES.join(","))
  .transform((text) => text.split(",").map((name) => name.trim()))
  .pipe(
    z
      .array(z.enum(PROCESSOR_OPERATOR_NAMES))
      .min(1)
      .refine((names) => new Set(names).size === names.length, "names an operator twice"),
  )
  .transform((names) => PROCESSOR_OPERATOR_NAMES.filter((name) => names.includes(name)));

/** Settings of the stream operators; shared with the all-in-one launcher (README "Configuration"). */
export const OperatorSettings = z.object({
  /** Geofence CROSSED is looked for only between consecutive fixes at most this many seconds apart. */
  GEOFENCE_CROSSING_MAX_GAP_S: z.coerce.number().int().min(0).max(86_400).default(120),
  /** How long a superseded geofence version still matches late fixes (seconds of change time). */
  GEOFENCE_HISTORY_S: z.coerce
    .number()
    .int()
    .min(0)
    .max(30 * 86_400)
    .default(3_600),
  // Speed windows in event time (packages/windows/README.md); sizes in ms, checked together at start.
  WINDOW_TUMBLING_MS: z.coerce.number().int().positive().default(60_000),
  WINDOW_HOP_SIZE_MS: z.coerce.number().int().positive().default(300_000),
  WINDOW_HOP_ADVANCE_MS: z.coerce.number().int().positive().default(60_000),
  /** Fleet-wide and per-geofence window size. */
  WINDOW_SCOPE_MS: z.coerce.number().int().positive().default(60_000),
  /** Partition watermark = max event time seen minus this. */
  WINDOW_WATERMARK_BOUND_MS: z.coerce.number().int().min(0).default(10_000),
  WINDOW_ALLOWED_LATENESS_MS: z.coerce.number().int().min(0).default(60_000),
  /** A caught-up partition without input for this long no longer holds the processor watermark. */
  WINDOW_IDLE_TIMEOUT_MS: z.coerce.number().int().min(0).default(30_000),
  /**
   * While a partition works through a backlog, a truck's open tumbling window is written early at
   * most this often (its final value always); a caught-up partition writes them at every checkpoint.
   */
  WINDOW_EARLY_FIRE_MS: z.coerce.number().int().min(0).default(10_000),
  /** How often fleet/geofence windows are combined, finalized and published. */
  WINDOW_TICK_MS: z.coerce.number().int().min(50).default(1_000),
  SPEEDING_THRESHOLD_KMH: z.coerce.number().positive().default(90),
});
export type OperatorSettings = z.infer<typeof OperatorSettings>;

/** How the processor batches and checkpoints; shared with the all-in-one launcher. */
export const PipelineSettings = z.object({
  /** A partition with new input is checkpointed (written to PostgreSQL) at least this often. */
  PROCESSOR_CHECKPOINT_INTERVAL_MS: z.coerce.number().int().min(10).max(600_000).default(1_000),
  /** ... and as soon as this many records wait. */
  PROCESSOR_CHECKPOINT_RECORDS: z.coerce.number().int().min(1).max(10_000_000).default(25_000),
  /** A partition more than PROCESSOR_CHECKPOINT_RECORDS behind is checkpointed this often. */
  PROCESSOR_BACKLOG_CHECKPOINT_INTERVAL_MS: z.coerce
    .number()
    .int()
    .min(10)
    .max(600_000)
    .default(2_000),
  /**
   * A partition's operator state (the keys changed since the last time) is written with the
   * first checkpoint after this long; a restore replays the input since then for state only.
   */
  PROCESSOR_STATE_INTERVAL_MS: z.coerce.number().int().min(10).max(3_600_000).default(30_000),
  /** Most records processed but not yet checkpointed (all partitions); fetching pauses above. */
  PROCESSOR_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(10_000_000).default(300_000),
  /** Most records in one input batch (kafkajs heartbeats between batches). */
  PROCESSOR_MAX_BATCH: z.coerce.number().int().min(1).max(1_000_000).default(5_000),
  /**
   * Fixes whose event time is more than this ahead of the processor's clock are dead-lettered:
   * one wrong device clock must not move the watermarks (every later fix would be late).
   * Unset: 10 minutes; the demo launchers allow for the simulator's speed-up.
   */
  PROCESSOR_MAX_EVENT_AHEAD_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(100 * 365 * 86_400_000)
    .optional(),
  /** position_fixes partitions (one per day) older than this many days are dropped; 0 keeps all. */
  POSITION_FIXES_RETENTION_DAYS: z.coerce.number().int().min(0).max(36_500).default(0),
});
export type PipelineSettings = z.infer<typeof PipelineSettings>;

/** The processor's configuration, read once at boot (README "Configuration"). */
export const ProcessorEnv = OperatorSettings.extend({
  KAFKA_BROKERS: brokersVar,
  ...kafkaSecurityVars,
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL"),
  GPS_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(1000).default(DEFAULT_GPS_PARTITIONS),
  /** Consumer group (and checkpoints) of the processor; a lane's operators are appended. */
  PROCESSOR_GROUP_ID: z.string().min(1).default("fleetstream-processor"),
  PROCESSOR_OPERATORS: processorOperatorsVar,
  LOG_LEVEL: logLevelVar,
  ...PipelineSettings.shape,
  KAFKA_SESSION_TIMEOUT_MS: sessionTimeoutVar,
  /**
   * Port of /metrics, /health/live and /health/ready; 0 picks a free one. Unset: 9464, or a free
   * port when another processor on the host has it (several processors per host are normal).
   */
  PROCESSOR_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  PROCESSOR_METRICS_HOST: z.string().min(1).default("127.0.0.1"),
});
export type ProcessorEnv = z.infer<typeof ProcessorEnv>;

export const readProcessorEnv = (source: NodeJS.ProcessEnv = process.env) =>
  parseEnv(ProcessorEnv, source);
