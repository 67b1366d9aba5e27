import type { Database } from "@fleetstream/db";
import type { EventLog } from "@fleetstream/eventlog";
import { ConfigError, type Logger } from "@fleetstream/service";
import type { WebEnv } from "./env";
import { createWebServer, type WebServer } from "./server/web-server";

/**
 * The web app as its main.ts and the all-in-one launcher wire it: the server, from settings.
 * `roadNetwork` overrides MAP_ROAD_NETWORK (the launchers draw it when they run the simulator).
 */
export function composeWeb(deps: {
  env: WebEnv;
  eventLog: EventLog;
  db: Database;
  logger: Logger;
  roadNetwork?: boolean;
  dev?: boolean;
  /** Runs once the port is open, before the database or Kafka is used (see WebServerDeps). */
  prepare?: () => Promise<void>;
}): WebServer {
  const { env } = deps;
  if (!env.AUTH_SECRET) {
    throw new ConfigError("invalid configuration: AUTH_SECRET: required (32+ random characters)");
  }
  return createWebServer({
    auth: {
      secret: env.AUTH_SECRET,
      publicUrl: env.PUBLIC_URL,
      firstAdmin: { email: env.ADMIN_EMAIL, password: env.ADMIN_PASSWORD },
      onFirstAdmin: (created) => printFirstAdmin(created, env.ADMIN_PASSWORD !== undefined),
    },
    eventLog: deps.eventLog,
    db: deps.db,
    ...(deps.prepare ? { prepare: deps.prepare } : {}),
    port: env.PORT,
    partitions: env.GPS_TOPIC_PARTITIONS,
    host: env.HOST,
    tileUrl: env.MAP_TILE_URL,
    webhookTargets: env.WEBHOOK_ALLOWED_TARGETS,
    offlineAfterMs: env.TRUCK_OFFLINE_AFTER_S * 1000,
    mapDetailLimit: env.MAP_DETAIL_LIMIT,
    roadNetwork: deps.roadNetwork ?? env.MAP_ROAD_NETWORK === "builtin",
    speedingThresholdKmh: env.SPEEDING_THRESHOLD_KMH,
    logger: deps.logger,
    dev: deps.dev ?? false,
  });
}

/** The first admin's credentials, once, on stdout (not in the structured log). */
function printFirstAdmin(created: { email: string; password: string }, configured: boolean) {
  const password = configured ? "(as set in ADMIN_PASSWORD)" : created.password;
  process.stdout.write(
    "\n  Fleetstream: created the first admin account (shown this once)\n" +
      `    email:    ${created.email}\n    password: ${password}\n` +
      "  Sign in, then add people under Admin → Users.\n\n",
  );
}
