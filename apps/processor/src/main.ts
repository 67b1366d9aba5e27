// Separate-process entry: `tsx apps/processor/src/main.ts` with KAFKA_BROKERS and DATABASE_URL.
import { openDatabase } from "@fleetstream/db";
import { createEventLog } from "@fleetstream/eventlog";
import { createLogger, runMain } from "@fleetstream/service";
import { readProcessorEnv } from "./env";
import { createOperators } from "./operators";
import { createProcessor } from "./processor";

await runMain("processor", async () => {
  const env = readProcessorEnv();
  const logger = createLogger("processor", env.LOG_LEVEL);
  const db = await openDatabase({ url: env.DATABASE_URL });
  const eventLog = createEventLog({
    clientId: "fleetstream-processor",
    brokers: env.KAFKA_BROKERS,
  });
  const processor = createProcessor({
    eventLog,
    prisma: db.prisma,
    operators: createOperators({ eventLog, logger, groupId: env.PROCESSOR_GROUP_ID, env }),
    logger,
    config: { groupId: env.PROCESSOR_GROUP_ID, partitions: env.GPS_TOPIC_PARTITIONS },
    // Exit so a supervisor restarts us; the failed batch is redelivered from the last commit.
    onFatal: () => process.exit(1),
  });
  return {
    async start() {
      const { applied } = await db.migrate();
      if (applied.length > 0) logger.info({ applied }, "database migrated");
      await processor.start();
    },
    async stop() {
      await processor.stop();
      await eventLog.close();
      await db.close();
    },
  };
});
