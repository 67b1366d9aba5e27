// `npm start`: the whole product in one process on embedded defaults — the in-process event log
// (unless KAFKA_BROKERS is set) and PGlite in memory (unless DATABASE_URL is set). The apps are the
// same factories `npm run stack` runs as separate processes; only the wiring differs.
import { TOPICS } from "@fleetstream/contracts";
import { openDatabase } from "@fleetstream/db";
import { createDispatcher } from "@fleetstream/dispatcher";
import { createEventLog } from "@fleetstream/eventlog";
import { composeProcessor } from "@fleetstream/processor";
import { createLogger, kafkaSecurity, runMain } from "@fleetstream/service";
import { createSimulator } from "@fleetstream/simulator";
import { composeWeb } from "@fleetstream/web";
import { launcherMaxEventAheadMs, readLauncherEnv, roadNetwork } from "./env";

await runMain("fleetstream", async () => {
  const env = readLauncherEnv();
  const logger = createLogger("fleetstream", env.LOG_LEVEL);
  // The embedded log lives in this process only, so every app below shares this one instance.
  const eventLog = createEventLog({
    clientId: "fleetstream",
    brokers: env.KAFKA_BROKERS,
    security: kafkaSecurity(env),
  });
  // In-memory by default: the embedded event log starts empty on every run, and so does the data.
  const db = await openDatabase({ url: env.DATABASE_URL ?? "pglite://memory" });

  const processor = composeProcessor({
    env: { ...env, PROCESSOR_MAX_EVENT_AHEAD_MS: launcherMaxEventAheadMs(env) },
    eventLog,
    db,
    logger: logger.child({ app: "processor" }),
    onFatal: () => process.exit(1),
  });
  const web = composeWeb({
    env,
    eventLog,
    db,
    logger: logger.child({ app: "web" }),
    roadNetwork: roadNetwork(env),
  });
  const dispatcher = createDispatcher({
    eventLog,
    prisma: db.prisma,
    logger: logger.child({ app: "dispatcher" }),
    config: { settings: env, partitions: env.GPS_TOPIC_PARTITIONS },
  });
  const simulatorProducer = eventLog.producer();
  const simulator =
    env.SIM_TRUCKS > 0
      ? createSimulator({
          producer: simulatorProducer,
          topic: TOPICS.gpsFixes.name,
          options: { trucks: env.SIM_TRUCKS, speedup: env.SIM_SPEEDUP, seed: env.SIM_SEED },
          logger: logger.child({ app: "simulator" }),
        })
      : undefined;

  return {
    async start() {
      const { applied } = await db.migrate();
      logger.info({ database: db.location, applied: applied.length }, "database ready");
      await processor.start();
      await dispatcher.start();
      await web.start();
      await simulator?.start();
      logger.info(
        { url: web.url, kafka: env.KAFKA_BROKERS ?? "embedded", trucks: env.SIM_TRUCKS },
        "Fleetstream is running",
      );
      if (env.WEBHOOK_ALLOWED_TARGETS.text) {
        logger.warn(
          { allowed: env.WEBHOOK_ALLOWED_TARGETS.text },
          "webhooks may call these targets despite the SSRF guard, over plain http too (demo " +
            "default: loopback, for `npx fleet-hooks listen`); set WEBHOOK_ALLOWED_TARGETS=none for none",
        );
      }
    },
    async stop() {
      // Upstream first, so each stage drains what the previous one produced.
      await simulator?.stop();
      await simulatorProducer.close();
      await processor.stop();
      await dispatcher.stop();
      await web.stop();
      await eventLog.close();
      await db.close();
    },
  };
});
