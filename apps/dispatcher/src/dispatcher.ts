import { TOPICS } from "@fleetstream/contracts";
import type { PrismaClient } from "@fleetstream/db";
import type { Consumer, EventLog } from "@fleetstream/eventlog";
import {
  type HealthCheck,
  type Logger,
  Outage,
  type Service,
  startDependencyProbe,
} from "@fleetstream/service";
import type { DispatcherSettings, Resolver } from "@fleetstream/webhooks";
import { createIntake, type IntakeStats } from "./intake";
import { createSender } from "./sender";
import { createWorker, type WorkerStats } from "./worker";

export interface DispatcherConfig {
  settings: DispatcherSettings;
  /** Partitions of truck_geofence_alerts, should the dispatcher be the first to create it. */
  partitions: number;
}

export interface DispatcherDeps {
  eventLog: EventLog;
  prisma: PrismaClient;
  logger: Logger;
  config: DispatcherConfig;
  /** DNS for the connect-time SSRF check (tests inject one to play DNS rebinding). */
  resolve?: Resolver;
  now?: () => number;
  random?: () => number;
}

export type DispatcherStats = IntakeStats & WorkerStats;

/**
 * The webhook dispatcher. Its own consumer group (DISPATCHER_GROUP_ID) reads
 * truck_geofence_alerts; each batch becomes one delivery per matching endpoint, stored in
 * PostgreSQL before the batch's offsets are committed (so no alert is lost to a crash); the
 * worker then sends deliveries from that table (the queue) and retries failures on the
 * schedule. PostgreSQL or Kafka outages are waited out with backoff.
 */
export function createDispatcher(deps: DispatcherDeps): Service & {
  stats(): DispatcherStats;
  /** Readiness checks (/health/ready): the alert consumer runs and PostgreSQL takes writes. */
  health(): Record<"consumer" | "database", HealthCheck>;
} {
  const { eventLog, prisma, config, now = Date.now, random = Math.random } = deps;
  const { settings } = config;
  const logger = deps.logger.child({ component: "dispatcher" });
  const sender = createSender({
    allow: settings.WEBHOOK_ALLOWED_TARGETS,
    ...(deps.resolve ? { resolve: deps.resolve } : {}),
    timeoutMs: settings.WEBHOOK_TIMEOUT_MS,
    connectionsPerEndpoint: settings.WEBHOOK_ENDPOINT_CONCURRENCY,
    now,
  });
  const worker = createWorker({
    prisma,
    sender,
    logger,
    now,
    config: {
      concurrency: settings.WEBHOOK_CONCURRENCY,
      endpointConcurrency: settings.WEBHOOK_ENDPOINT_CONCURRENCY,
      pollMs: settings.WEBHOOK_POLL_MS,
      // Longer than any attempt (the timeout) plus writing its result, so a live dispatcher
      // keeps its claims; a dead one's rows are claimed again after this.
      leaseMs: 3 * settings.WEBHOOK_TIMEOUT_MS,
      policy: {
        schedule: settings.WEBHOOK_RETRY_SCHEDULE,
        disableAfterMs: settings.WEBHOOK_DISABLE_AFTER,
        random,
      },
    },
  });
  const intake = createIntake({ prisma, logger, worker, now });
  let consumer: Consumer | undefined;
  let stopping = false;
  let restarting: Promise<void> | undefined;
  const health = {
    consumer: { ok: false, detail: "not started" } as HealthCheck,
    database: { ok: true } as HealthCheck,
  };

  // Logged once when an outage starts and once when it ends; capped, jittered backoff between.
  const database = new Outage("PostgreSQL (storing deliveries)", logger);
  const kafka = new Outage("Kafka (alert consumer)", logger);

  /** Runs database work until it succeeds; stopping instead throws (the batch is not committed). */
  function retrying<T>(work: () => Promise<T>): Promise<T> {
    return database.retry(
      () =>
        work().then(
          (result) => {
            health.database = { ok: true };
            return result;
          },
          (error: unknown) => {
            health.database = { ok: false, detail: String(error) };
            throw error;
          },
        ),
      { stopped: () => stopping },
    );
  }

  function startConsumer(): Promise<void> {
    const created = eventLog.consumer({
      groupId: settings.DISPATCHER_GROUP_ID,
      topics: [TOPICS.truckGeofenceAlerts.name],
      startFrom: "earliest",
      eachBatch: async (batch) => {
        const { waiting } = await intake.store(batch, retrying);
        // Deliveries the intake could not hand over (no free slot) wait for a claim.
        if (waiting > 0) worker.wake();
      },
    });
    consumer = created;
    created.failed.catch((error: unknown) => {
      if (stopping) return;
      health.consumer = { ok: false, detail: String(error) };
      logger.error({ err: error }, "alert consumer stopped; starting it again");
      restarting = restartConsumer();
    });
    return created.start().then(() => {
      health.consumer = { ok: true };
    });
  }

  /** A consumer that failed (Kafka away, a rebalance gone wrong) is replaced, with backoff. */
  function restartConsumer(): Promise<void> {
    return kafka.retry(startConsumer, { stopped: () => stopping }).catch(() => {
      // Only a stop ends the retries: nothing to restart then.
    });
  }

  // Asked every few seconds, so readiness turns red in an outage even when no alert arrives.
  let probe: ReturnType<typeof startDependencyProbe> | undefined;

  return {
    stats: () => ({ ...intake.stats(), ...worker.stats() }),
    health: () => {
      const asked = probe?.health();
      return {
        ...health,
        database: asked?.database && !asked.database.ok ? asked.database : health.database,
        ...(asked?.kafka ? { kafka: asked.kafka } : {}),
      };
    },
    async start() {
      probe = startDependencyProbe({
        checks: {
          database: () => prisma.$queryRaw`SELECT 1`,
          kafka: () => eventLog.ensureTopics([]),
        },
        log: logger,
      });
      await probe.checked;
      await eventLog.ensureTopics([
        { ...TOPICS.truckGeofenceAlerts, partitions: config.partitions },
      ]);
      worker.start();
      await startConsumer();
      logger.info(
        {
          groupId: settings.DISPATCHER_GROUP_ID,
          allowedTargets: settings.WEBHOOK_ALLOWED_TARGETS.text || "none",
          retrySchedule: settings.WEBHOOK_RETRY_SCHEDULE.length,
        },
        "webhook dispatcher started",
      );
    },
    async stop() {
      stopping = true;
      probe?.stop();
      await restarting;
      await consumer?.stop();
      await worker.stop();
      await sender.close();
      logger.info({ ...intake.stats(), ...worker.stats() }, "webhook dispatcher stopped");
    },
  };
}
