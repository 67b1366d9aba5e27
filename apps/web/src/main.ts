import { hostname } from "node:os";
import { databaseMigrations, openDatabase } from "@fleetstream/db";
import { createEventLog, kafkaReachable } from "@fleetstream/eventlog";
import { createLogger, kafkaSecurity, runMain, whenReachable } from "@fleetstream/service";
import { composeWeb } from "./compose";
import { loadWebEnv } from "./env";

// Separate-process entry: `npm run start:web` (production build) or `npm run dev` (`--dev`).
await runMain("web", async () => {
  const env = loadWebEnv();
  const logger = createLogger("web", env.LOG_LEVEL);
  const eventLog = createEventLog({
    clientId: `web-${hostname()}-${process.pid}`,
    brokers: env.KAFKA_BROKERS,
    security: kafkaSecurity(env),
    log: ({ level, namespace, message, extra }) =>
      logger[level]({ kafka: namespace, ...extra }, message),
  });
  const db = await openDatabase({ url: env.DATABASE_URL });
  const server = composeWeb({
    env,
    eventLog,
    db,
    logger,
    dev: process.argv.includes("--dev"),
    // PostgreSQL or Kafka still down (or restarting) while we start: wait for them instead of
    // exiting; the port is open meanwhile (health live, ready 503).
    async prepare() {
      const { applied } = await whenReachable(databaseMigrations(db), logger);
      if (applied.length > 0) logger.info({ applied }, "database migrated");
      await whenReachable(kafkaReachable(eventLog), logger);
    },
  });
  return {
    start: () => server.start(),
    async stop() {
      await server.stop();
      await eventLog.close();
      await db.close();
    },
  };
});
