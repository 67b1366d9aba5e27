// Separate-process entry: `tsx apps/processor/src/main.ts` with KAFKA_BROKERS and DATABASE_URL.
import { databaseMigrations, openDatabase } from "@fleetstream/db";
import { createEventLog, kafkaReachable, sessionTuning } from "@fleetstream/eventlog";
import {
  createLogger,
  kafkaSecurity,
  runMain,
  startOpsServerOn,
  whenReachable,
} from "@fleetstream/service";
import { collectDefaultMetrics } from "prom-client";
import { composeProcessor } from "./compose";
import { readProcessorEnv } from "./env";
import { BATCHED_FETCH, isLiveLane, runsAllOperators } from "./lanes";

/** Where Prometheus finds the processor unless PROCESSOR_METRICS_PORT says otherwise. */
const DEFAULT_METRICS_PORT = 9464;

await runMain("processor", async () => {
  const env = readProcessorEnv();
  const base = createLogger("processor", env.LOG_LEVEL);
  // A lane (README "Processor lanes") says which in every line.
  const logger = runsAllOperators(env.PROCESSOR_OPERATORS)
    ? base
    : base.child({ lane: env.PROCESSOR_OPERATORS.join(",") });
  // Checkpoints of every partition, the combiner and the health ping run at once.
  const db = await openDatabase({ url: env.DATABASE_URL, poolSize: 20 });
  const eventLog = createEventLog({
    clientId: "fleetstream-processor",
    brokers: env.KAFKA_BROKERS,
    security: kafkaSecurity(env),
    consumer: {
      ...sessionTuning(env.KAFKA_SESSION_TIMEOUT_MS),
      ...(isLiveLane(env.PROCESSOR_OPERATORS) ? {} : BATCHED_FETCH),
    },
  });
  const processor = composeProcessor({
    env,
    eventLog,
    db,
    logger,
    // Exit so a supervisor restarts us; the input after the last checkpoint is processed again.
    onFatal: () => process.exit(1),
  });
  collectDefaultMetrics({ register: processor.registry, prefix: "fleetstream_processor_" });
  let ops: Awaited<ReturnType<typeof startOpsServerOn>> | undefined;
  return {
    async start() {
      ops = await startOpsServerOn(env.PROCESSOR_METRICS_PORT, DEFAULT_METRICS_PORT, {
        host: env.PROCESSOR_METRICS_HOST,
        registry: processor.registry,
        readiness: () => processor.health(),
        logger,
      });
      // PostgreSQL or Kafka still down (or restarting) while we start: wait for them instead of
      // exiting; readiness answers 503 meanwhile.
      const { applied } = await whenReachable(databaseMigrations(db), logger);
      if (applied.length > 0) logger.info({ applied }, "database migrated");
      await whenReachable(kafkaReachable(eventLog), logger);
      await processor.start();
    },
    async stop() {
      await processor.stop();
      await eventLog.close();
      await db.close();
      await ops?.close();
    },
  };
});
