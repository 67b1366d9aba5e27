import { randomBytes } from "node:crypto";
import {
  DEFAULT_MAX_EVENT_AHEAD_MS,
  OperatorSettings,
  PipelineSettings,
} from "@fleetstream/processor";
import { parseEnv } from "@fleetstream/service";
import { WebEnv } from "@fleetstream/web";
import { allowedTargetsVar, DispatcherSettings, LOOPBACK_TARGETS } from "@fleetstream/webhooks";
import { z } from "zod";

/**
 * Settings of `npm start` (all apps in one process) and `npm run stack` (one process per app).
 * The web settings (PORT, HOST, MAP_TILE_URL, LOG_LEVEL, KAFKA_BROKERS) are the web app's own,
 * the operator settings (GEOFENCE_*, WINDOW_*, SPEEDING_THRESHOLD_KMH) the processor's, the
 * WEBHOOK_* settings the dispatcher's.
 */
export const LauncherEnv = WebEnv.extend(OperatorSettings.shape)
  .extend(PipelineSettings.shape)
  .extend(DispatcherSettings.shape)
  .extend({
    /**
     * Both launchers are for demos and development: loopback is allowed as a webhook target by
     * default so `fleet-hooks listen` on this machine works (set it to "none" for none).
     */
    WEBHOOK_ALLOWED_TARGETS: allowedTargetsVar(LOOPBACK_TARGETS),
    /** The demo listens on this machine only; set HOST=0.0.0.0 (and AUTH_SECRET) to share it. */
    HOST: z.string().min(1).default("127.0.0.1"),
    /** Unset: embedded PGlite, in memory. postgres://…: PostgreSQL. pglite://memory: embedded. */
    DATABASE_URL: z.string().optional(),
    /** Size of the demo fleet the built-in simulator drives; 0 runs without a simulator. */
    SIM_TRUCKS: z.coerce.number().int().min(0).max(100_000).default(50),
    /** Simulated seconds per real second (each truck reports every 20 simulated seconds). */
    SIM_SPEEDUP: z.coerce.number().positive().max(10_000).default(10),
    SIM_SEED: z.coerce.number().int().default(1),
  });
export type LauncherEnv = z.infer<typeof LauncherEnv>;

/**
 * The launchers' settings. AUTH_SECRET may be left unset for the demo: a random one is made per
 * run (sessions end when the launcher restarts).
 */
export function readLauncherEnv(
  source: NodeJS.ProcessEnv = process.env,
): LauncherEnv & { AUTH_SECRET: string } {
  const env = parseEnv(LauncherEnv, source);
  return { ...env, AUTH_SECRET: env.AUTH_SECRET ?? randomBytes(32).toString("base64url") };
}

/**
 * Whether the dashboard draws the simulator's road network: MAP_ROAD_NETWORK if set, else yes
 * when the launcher runs the simulator (which drives the built-in region).
 */
export const roadNetwork = (env: LauncherEnv): boolean =>
  env.MAP_ROAD_NETWORK ? env.MAP_ROAD_NETWORK === "builtin" : env.SIM_TRUCKS > 0;

/**
 * How far ahead of real time the processor accepts event times under the launchers
 * (PROCESSOR_MAX_EVENT_AHEAD_MS when set): the built-in simulator's clock runs SIM_SPEEDUP times
 * faster than real time, ahead by (speedup - 1) x the time the demo has run; a week of demo is
 * allowed.
 */
export function launcherMaxEventAheadMs(env: LauncherEnv): number {
  if (env.PROCESSOR_MAX_EVENT_AHEAD_MS !== undefined) return env.PROCESSOR_MAX_EVENT_AHEAD_MS;
  if (env.SIM_TRUCKS === 0 || env.SIM_SPEEDUP <= 1) return DEFAULT_MAX_EVENT_AHEAD_MS;
  const week = 7 * 86_400_000;
  const century = 100 * 365 * 86_400_000; // the setting's upper bound
  return Math.min(century, DEFAULT_MAX_EVENT_AHEAD_MS + Math.round((env.SIM_SPEEDUP - 1) * week));
}
