import type { Database } from "@fleetstream/db";
import type { EventLog } from "@fleetstream/eventlog";
import type { Logger } from "@fleetstream/service";
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
}): WebServer {
  const { env } = deps;
  return createWebServer({
    eventLog: deps.eventLog,
    db: deps.db,
    port: env.PORT,
    partitions: env.GPS_TOPIC_PARTITIONS,
    host: env.HOST,
    tileUrl: env.MAP_TILE_URL,
    webhookTargets: env.WEBHOOK_ALLOWED_TARGETS,
    offlineAfterMs: env.TRUCK_OFFLINE_AFTER_S * 1000,
    roadNetwork: deps.roadNetwork ?? env.MAP_ROAD_NETWORK === "builtin",
    speedingThresholdKmh: env.SPEEDING_THRESHOLD_KMH,
    logger: deps.logger,
    dev: deps.dev ?? false,
  });
}
