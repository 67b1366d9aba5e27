import { TOPICS, type TopicSpec, type TruckPosition } from "@fleetstream/contracts";
import type { PrismaClient } from "@fleetstream/db";
import {
  type Consumer,
  deadLetter,
  type EventLog,
  type Producer,
  type RecordBatch,
} from "@fleetstream/eventlog";
import type { Logger, Service } from "@fleetstream/service";
import { partitionCheckpoints } from "./pipeline/checkpoints";
import { classifyRecord, newestPerTruck } from "./pipeline/classify";
import type { AcceptedFix, OutputRecord, StreamOperator } from "./pipeline/operator";
import { savePositions } from "./store";

export interface ProcessorConfig {
  groupId: string;
  /** Partitions for the GPS topic and the topics keyed like it. */
  partitions: number;
}

export interface ProcessorStats {
  consumed: number;
  stored: number;
  deadLettered: number;
  published: number;
  /** Records skipped because the database already reflected them (redelivery after a crash). */
  alreadyApplied: number;
}

/** Tries per batch before the processor gives up on it (see handleBatch). */
const MAX_BATCH_ATTEMPTS = 3;

/** Topics the processor reads or writes, with the configured partition count. */
export function processorTopics(partitions: number, operators: readonly StreamOperator[] = []) {
  const own: TopicSpec[] = [TOPICS.gpsFixes, TOPICS.gpsDeadLetter, TOPICS.truckPositions];
  return [...own, ...operators.flatMap((operator) => operator.topics(partitions))].map((spec) => ({
    ...spec,
    partitions,
  }));
}

/**
 * The stream processor: consumes GPS fixes, dead-letters invalid ones, stores valid ones,
 * publishes each truck's latest position and runs the stateful operators. Per batch of one
 * partition, in this order:
 *   1. dead-letter invalid records;
 *   2. operators compute outputs and state changes (pure);
 *   3. publish positions and operator records (at least once; consumers dedupe by id/seq);
 *   4. one database transaction: fixes, operator state/rows, and the partition checkpoint;
 *   5. the event log commits the Kafka offsets when eachBatch resolves.
 * A crash anywhere redelivers the batch; records the checkpoint says are already applied are
 * skipped, so database results are exact and topic records at worst repeated.
 */
export function createProcessor(deps: {
  eventLog: EventLog;
  prisma: PrismaClient;
  logger: Logger;
  config: ProcessorConfig;
  operators?: readonly StreamOperator[];
  /** Called when a batch cannot be processed (the consumer has stopped, nothing was committed). */
  onFatal: (error: unknown) => void;
}): Service & { stats(): ProcessorStats } {
  const { eventLog, prisma, logger, config, onFatal, operators = [] } = deps;
  const stats: ProcessorStats = {
    consumed: 0,
    stored: 0,
    deadLettered: 0,
    published: 0,
    alreadyApplied: 0,
  };
  const checkpoints = partitionCheckpoints(config.groupId, TOPICS.gpsFixes.name);
  /**
   * Per partition this instance has restored: `checkpoint`, the next offset the database
   * reflects (records below it are skipped), and `expectedFirst`, the offset the next batch
   * should start at. A batch starting elsewhere (first batch here, a rebalance, a gap) restores.
   */
  const partitions = new Map<number, { checkpoint: number; expectedFirst: number }>();
  const latestSeq = new Map<string, number>();
  let producer: Producer | undefined;
  let consumer: Consumer | undefined;
  /** Operator ticks (StreamOperator.tick), started with the consumer (speed windows, issue 5). */
  let ticks: { stop(): Promise<void> } | undefined;

  async function partitionState(partition: number, first: number) {
    const known = partitions.get(partition);
    if (known && known.expectedFirst === first) return known;
    const checkpoint = await checkpoints.load(prisma, partition);
    for (const operator of operators) await operator.restore(partition, prisma);
    logger.info({ partition, from: checkpoint }, "partition state restored");
    const restored = { checkpoint, expectedFirst: first };
    partitions.set(partition, restored);
    return restored;
  }

  /**
   * Applies a batch; if publishing or the transaction fails (another instance moved the
   * partition's checkpoint, the database refused a write, …) the partition's state is dropped,
   * restored from the database and the batch applied again. Only repeated failure is fatal.
   */
  async function handleBatch(batch: RecordBatch, out: Producer): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await applyBatch(batch, out);
      } catch (error) {
        partitions.delete(batch.partition);
        if (attempt >= MAX_BATCH_ATTEMPTS) throw error;
        logger.warn(
          { err: error, partition: batch.partition, attempt },
          "batch failed; restoring the partition and applying it again",
        );
      }
    }
  }

  async function applyBatch(batch: RecordBatch, out: Producer): Promise<void> {
    const first = batch.records[0];
    const last = batch.records.at(-1);
    if (!first || !last) return;
    const state = await partitionState(batch.partition, first.offset);
    const records = batch.records.filter((record) => record.offset >= state.checkpoint);
    state.expectedFirst = last.offset + 1;
    stats.consumed += batch.records.length;
    stats.alreadyApplied += batch.records.length - records.length;
    if (records.length === 0) return;

    const accepted: AcceptedFix[] = [];
    const rejected: Promise<unknown>[] = [];
    for (const record of records) {
      const result = classifyRecord(record);
      if (result.kind === "ok") {
        accepted.push({ fix: result.fix, partition: record.partition, offset: record.offset });
      } else {
        rejected.push(deadLetter(out, TOPICS.gpsDeadLetter.name, record, result.reason));
      }
    }
    await Promise.all(rejected);

    const fixes = accepted.map((a) => a.fix);
    const outputs = operators.map((operator) => operator.process(batch.partition, accepted));
    const changed = newestPerTruck(fixes, (truckId) => latestSeq.get(truckId));
    const processedAt = Date.now();
    const positions = changed.map((fix): OutputRecord => {
      const position: TruckPosition = { ...fix, processedAt };
      return {
        topic: TOPICS.truckPositions.name,
        key: fix.truckId,
        value: JSON.stringify(position),
      };
    });
    const published = await publish(out, [...positions, ...outputs.flatMap((o) => o.records)]);

    await prisma.$transaction(async (tx) => {
      await savePositions(tx, fixes);
      for (const output of outputs) await output.persist(tx);
      await checkpoints.advance(tx, batch.partition, state.checkpoint, last.offset + 1);
    });
    state.checkpoint = last.offset + 1;
    for (const fix of changed) latestSeq.set(fix.truckId, fix.seq);

    stats.stored += fixes.length;
    stats.deadLettered += rejected.length;
    stats.published += published;
    if (rejected.length > 0) {
      logger.warn({ partition: batch.partition, count: rejected.length }, "dead-lettered records");
    }
  }

  return {
    stats: () => ({ ...stats }),
    async start() {
      await eventLog.ensureTopics(processorTopics(config.partitions, operators));
      for (const operator of operators) await operator.start?.();
      const out = eventLog.producer();
      producer = out;
      consumer = eventLog.consumer({
        groupId: config.groupId,
        topics: [TOPICS.gpsFixes.name],
        startFrom: "earliest",
        eachBatch: (batch) => handleBatch(batch, out),
      });
      consumer.failed.catch((error: unknown) => {
        logger.fatal({ err: error }, "processing failed; stopped without committing the batch");
        onFatal(error);
      });
      await consumer.start();
      ticks = startTicks(operators, out, prisma, logger);
      logger.info({ groupId: config.groupId, partitions: config.partitions }, "processor started");
    },
    async stop() {
      await consumer?.stop();
      await ticks?.stop();
      for (const operator of operators) await operator.stop?.();
      await producer?.close();
      logger.info(stats, "processor stopped");
    },
  };
}

/**
 * Calls each operator's `tick` every tickIntervalMs (the smallest asked for), one tick at a time,
 * through the same path as a batch: publish its records, then its persist in one transaction (no
 * checkpoint: ticks consume no input). A failed tick is logged and tried again on the next one.
 */
function startTicks(
  operators: readonly StreamOperator[],
  out: Producer,
  prisma: PrismaClient,
  logger: Logger,
): { stop(): Promise<void> } {
  const ticking = operators.flatMap((operator) => {
    const tick = operator.tick?.bind(operator);
    return tick ? [{ name: operator.name, tick, every: operator.tickIntervalMs ?? 1_000 }] : [];
  });
  if (ticking.length === 0) return { stop: async () => {} };
  const interval = Math.min(...ticking.map((t) => t.every));
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const runOnce = async () => {
    for (const { name, tick } of ticking) {
      if (stopped) return;
      try {
        const output = await tick(prisma);
        await publish(out, output.records);
        await prisma.$transaction((tx) => output.persist(tx));
      } catch (error) {
        logger.warn({ err: error, operator: name }, "operator tick failed; trying again next tick");
      }
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = runOnce().finally(schedule);
    }, interval);
  };
  schedule();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

/** Sends records grouped by topic, one send per topic; returns how many were sent. */
async function publish(out: Producer, records: readonly OutputRecord[]): Promise<number> {
  const byTopic = new Map<string, { key: string; value: string }[]>();
  for (const { topic, key, value } of records) {
    const group = byTopic.get(topic) ?? [];
    group.push({ key, value });
    byTopic.set(topic, group);
  }
  for (const [topic, group] of byTopic) await out.send(topic, group);
  return records.length;
}
