import { hostname } from "node:os";
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
  const server = createWebServer({
    eventLog,
    port: env.PORT,
    host: env.HOST,
    tileUrl: env.MAP_TILE_URL,
    logger,
    dev: process.argv.includes("--dev"),
  });
  return {
    start: () => server.start(),
    async stop() {
      await server.stop();
      await eventLog.close();
    },
  };
});
