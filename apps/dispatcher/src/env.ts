import { DEFAULT_GPS_PARTITIONS } from "@fleetstream/contracts";
import {
  brokersVar,
  kafkaSecurityVars,
  logLevelVar,
  parseEnv,
  sessionTimeoutVar,
} from "@fleetstream/service";
import { DispatcherSettings } from "@fleetstream/webhooks";
import { z } from "zod";

export { DispatcherSettings } from "@fleetstream/webhooks";

/** The dispatcher's configuration, read once at boot (README "Configuration"). */
export const DispatcherEnv = DispatcherSettings.extend({
  KAFKA_BROKERS: brokersVar,
  ...kafkaSecurityVars,
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL"),
  /** Partitions of truck_geofence_alerts, should the dispatcher be the first to create it. */
  GPS_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(1000).default(DEFAULT_GPS_PARTITIONS),
  LOG_LEVEL: logLevelVar,
  KAFKA_SESSION_TIMEOUT_MS: sessionTimeoutVar,
  /** Port of /metrics, /health/live and /health/ready; 0 picks a free one. Unset: 9465, or a free one. */
  DISPATCHER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  DISPATCHER_METRICS_HOST: z.string().min(1).default("127.0.0.1"),
});
export type DispatcherEnv = z.infer<typeof DispatcherEnv>;

export const readDispatcherEnv = (source: NodeJS.ProcessEnv = process.env) =>
  parseEnv(DispatcherEnv, source);
