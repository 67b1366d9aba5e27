// Separate-process entry: `tsx apps/dispatcher/src/main.ts` with KAFKA_BROKERS and DATABASE_URL.
import { databaseMigrations, openDatabase } from "@fleetstream/db";
import { createEventLog, kafkaReachable, sessionTuning } from "@fleetstream/eventlog";
import {
  createLogger,
  kafkaSecurity,
  runMain,
  startOpsServerOn,
  whenReachable,
} from "@fleetstream/service";
import { collectDefaultMetrics, Registry } from "prom-client";
import { createDispatcher } from "./dispatcher";
import { readDispatcherEnv } from "./env";

/** The processor's is 9464 (Prometheus's default exporter range). */
const DEFAULT_METRICS_PORT = 9465;

await runMain("dispatcher", async () => {
  const env = readDispatcherEnv();
  const logger = createLogger("dispatcher", env.LOG_LEVEL);
  const db = await openDatabase({ url: env.DATABASE_URL });
  const eventLog = createEventLog({
    clientId: "fleetstream-dispatcher",
    brokers: env.KAFKA_BROKERS,
    security: kafkaSecurity(env),
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
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "fleetstream_dispatcher_" });
  let ops: Awaited<ReturnType<typeof startOpsServerOn>> | undefined;
  return {
    async start() {
      ops = await startOpsServerOn(env.DISPATCHER_METRICS_PORT, DEFAULT_METRICS_PORT, {
        host: env.DISPATCHER_METRICS_HOST,
        registry,
        readiness: () => dispatcher.health(),
        logger,
      });
      // PostgreSQL or Kafka still down while we start: wait for them (readiness answers 503).
      const { applied } = await whenReachable(databaseMigrations(db), logger);
      if (applied.length > 0) logger.info({ applied }, "database migrated");
      await whenReachable(kafkaReachable(eventLog), logger);
      await dispatcher.start();
    },
    async stop() {
      await dispatcher.stop();
      await eventLog.close();
      await db.close();
      await ops?.close();
    },
  };
});
