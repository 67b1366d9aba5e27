import { DEFAULT_GPS_PARTITIONS } from "@fleetstream/contracts";
import {
  brokersVar,
  ConfigError,
  kafkaSecurityVars,
  logLevelVar,
  parseEnv,
  portVar,
} from "@fleetstream/service";
import { allowedTargetsVar } from "@fleetstream/webhooks";
import { z } from "zod";
import { mapTileUrlVar } from "./features/fleet-map/tiles";

/** The web app's configuration; read once at boot by src/main.ts (nowhere else reads process.env). */
export const WebEnv = z.object({
  /** Comma-separated Kafka brokers. Required when the web app runs as its own process. */
  KAFKA_BROKERS: brokersVar.optional(),
  /** KAFKA_SSL*, KAFKA_SASL_*: TLS and SASL for a managed cluster. */
  ...kafkaSecurityVars,
  /** PostgreSQL URL (geofences). Required when the web app runs as its own process. */
  DATABASE_URL: z.string().min(1).optional(),
  PORT: portVar(3000),
  /** Partitions of truck_positions, should this instance be the first to create it. */
  GPS_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(1000).default(DEFAULT_GPS_PARTITIONS),
  HOST: z.string().min(1).default("0.0.0.0"),
  /** Tile URL template, or `none` for no tiles (the map then shows a grid only). */
  MAP_TILE_URL: mapTileUrlVar,
  LOG_LEVEL: logLevelVar,
  /** Webhook endpoint hosts/networks exempt from the SSRF guard and the https rule. */
  WEBHOOK_ALLOWED_TARGETS: allowedTargetsVar(),
  /** A truck with no fix for this many seconds is shown offline (list, markers, REST). */
  TRUCK_OFFLINE_AFTER_S: z.coerce
    .number()
    .int()
    .min(10)
    .max(7 * 24 * 3_600)
    .default(600),
  /**
   * The live map gets an area's trucks one by one up to this many in view (below zoom 13), and
   * counts per cell above it (the browser draws counts instead of receiving every truck).
   */
  MAP_DETAIL_LIMIT: z.coerce.number().int().min(100).max(1_000_000).default(5_000),
  /**
   * `builtin` draws the simulator's built-in road network (the Netherlands) under the map, for
   * fleets driven by fleet-sim's built-in region; `none` (default for the separate web app) does
   * not. The launchers default to `builtin` when they run the simulator.
   */
  MAP_ROAD_NETWORK: z.enum(["builtin", "none"]).optional(),
  /** The processor's speeding threshold (same variable), drawn as the line on speed charts. */
  SPEEDING_THRESHOLD_KMH: z.coerce.number().positive().default(90),
  /**
   * Signs session cookies: a random string of 32+ characters, the same on every web instance.
   * Required by the web app's own process; the launchers generate one per run when unset.
   */
  AUTH_SECRET: z.string().min(32, "use a random string of at least 32 characters").optional(),
  /** Where users reach the dashboard (https://fleet.example.com); the only origin of writes. */
  PUBLIC_URL: z
    .url({ protocol: /^https?$/, error: "an http:// or https:// URL" })
    .transform((url) => url.replace(/\/+$/, ""))
    .optional(),
  /** The first admin, created when the database has no user yet. */
  ADMIN_EMAIL: z.email().default("admin@fleetstream.local"),
  /** Its password (10+ characters); unset: generated and printed once. */
  ADMIN_PASSWORD: z.string().min(10, "at least 10 characters").optional(),
});
export type WebEnv = z.infer<typeof WebEnv>;

export type SeparateProcessWebEnv = WebEnv & { KAFKA_BROKERS: string[]; DATABASE_URL: string };

/**
 * Settings for the separate-process web app. It must read positions from real Kafka: an
 * in-process event log lives in one process only and would never see the processor's output.
 */
export function loadWebEnv(source: NodeJS.ProcessEnv = process.env): SeparateProcessWebEnv {
  const env = parseEnv(WebEnv, source);
  if (!env.KAFKA_BROKERS) {
    throw new ConfigError(
      "invalid configuration: KAFKA_BROKERS: required when the web app runs as its own process " +
        "(e.g. KAFKA_BROKERS=localhost:9092); use `npm start` for the all-in-one embedded mode",
    );
  }
  if (!env.DATABASE_URL || !/^postgres(ql)?:\/\//.test(env.DATABASE_URL)) {
    throw new ConfigError(
      "invalid configuration: DATABASE_URL: a postgres:// URL is required when the web app runs as " +
        "its own process (it shares PostgreSQL with the processor); use `npm start` for the " +
        "all-in-one embedded mode",
    );
  }
  if (!env.AUTH_SECRET) {
    throw new ConfigError(
      "invalid configuration: AUTH_SECRET: required when the web app runs as its own process " +
        "(a random string of 32+ characters, the same on every web instance, e.g. " +
        "`openssl rand -base64 32`); `npm start` generates one for its demo",
    );
  }
  return { ...env, KAFKA_BROKERS: env.KAFKA_BROKERS, DATABASE_URL: env.DATABASE_URL };
}
