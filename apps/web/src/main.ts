import { hostname } from "node:os";
import { openDatabase } from "@fleetstream/db";
import { createEventLog } from "@fleetstream/eventlog";
import { createLogger, runMain } from "@fleetstream/service";
import { loadWebEnv } from "./env";
import { createWebServer } from "./server/web-server";

// Separate-process entry: `npm run start:web` (production build) or `npm run dev` (`--dev`).
await runMain("web", async () => {
  const env = loadWebEnv();
  const logger = createLogger("web", env.LOG_LEVEL);
  const eventLog = createEventLog({
    clientId: `web-${hostname()}-${process.pid}`,
    brokers: env.KAFKA_BROKERS,
    log: ({ level, namespace, message, extra }) =>
      logger[level]({ kafka: namespace, ...extra }, message),
  });
  const db = await openDatabase({ url: env.DATABASE_URL });
  const server = createWebServer({
    eventLog,
    db,
    port: env.PORT,
    partitions: env.GPS_TOPIC_PARTITIONS,
    host: env.HOST,
    tileUrl: env.MAP_TILE_URL,
    webhookTargets: env.WEBHOOK_ALLOWED_TARGETS,
    offlineAfterMs: env.TRUCK_OFFLINE_AFTER_S * 1000,
    roadNetwork: env.MAP_ROAD_NETWORK === "builtin",
    speedingThresholdKmh: env.SPEEDING_THRESHOLD_KMH,
    logger,
    dev: process.argv.includes("--dev"),
  });
  return {
    async start() {
      const { applied } = await db.migrate();
      if (applied.length > 0) logger.info({ applied }, "database migrated");
      await server.start();
    },
    async stop() {
      await server.stop();
      await eventLog.close();
      await db.close();
    },
  };
});
