import { TOPICS, type TopicSpec, type TruckPosition } from "@fleetstream/contracts";
import type { PrismaClient } from "@fleetstream/db";
import {
  type ConsumedRecord,
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
  /** Next offset this instance expects per partition it has restored. */
  const nextOffset = new Map<number, number>();
  const latestSeq = new Map<string, number>();
  let producer: Producer | undefined;
  let consumer: Consumer | undefined;
  /** Operator ticks (StreamOperator.tick), started with the consumer (speed windows, issue 5). */
  let ticks: { stop(): Promise<void> } | undefined;

  /** Records of this batch that the database does not reflect yet. */
  async function unapplied(batch: RecordBatch): Promise<ConsumedRecord[]> {
    const first = batch.records[0]?.offset;
    if (first === undefined) return [];
    let expected = nextOffset.get(batch.partition);
    if (expected !== first) {
      // First batch of this partition here, or a gap (the partition moved away and back):
      // reload the partition's state as of its checkpoint.
      expected = await checkpoints.load(prisma, batch.partition);
      for (const operator of operators) await operator.restore(batch.partition, prisma);
      logger.info({ partition: batch.partition, from: expected }, "partition state restored");
    }
    return batch.records.filter((record) => record.offset >= expected);
  }

  async function handleBatch(batch: RecordBatch, out: Producer): Promise<void> {
    const records = await unapplied(batch);
    stats.consumed += batch.records.length;
    stats.alreadyApplied += batch.records.length - records.length;
    const last = batch.records.at(-1);
    if (records.length === 0 || !last) return;

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
      await checkpoints.save(tx, batch.partition, last.offset + 1);
    });
    nextOffset.set(batch.partition, last.offset + 1);
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
