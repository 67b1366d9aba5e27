// Separate-process entry: `tsx apps/dispatcher/src/main.ts` with KAFKA_BROKERS and DATABASE_URL.
import { openDatabase } from "@fleetstream/db";
import { createEventLog, sessionTuning } from "@fleetstream/eventlog";
import { createLogger, runMain } from "@fleetstream/service";
import { createDispatcher } from "./dispatcher";
import { readDispatcherEnv } from "./env";

await runMain("dispatcher", async () => {
  const env = readDispatcherEnv();
  const logger = createLogger("dispatcher", env.LOG_LEVEL);
  const db = await openDatabase({ url: env.DATABASE_URL });
  const eventLog = createEventLog({
    clientId: "fleetstream-dispatcher",
    brokers: env.KAFKA_BROKERS,
    consumer: sessionTuning(env.KAFKA_SESSION_TIMEOUT_MS),
    log: ({ level, namespace, message, extra }) =>
      logger[level]({ kafka: namespace, ...extra }, message),
  });
  const dispatcher = createDispatcher({
    eventLog,
    prisma: db.prisma,
    logger,
    config: { settings: env, partitions: env.GPS_TOPIC_PARTITIONS },
  });
  return {
    async start() {
      const { applied } = await db.migrate();
      if (applied.length > 0) logger.info({ applied }, "database migrated");
      await dispatcher.start();
    },
    async stop() {
      await dispatcher.stop();
      await eventLog.close();
      await db.close();
    },
  };
});
