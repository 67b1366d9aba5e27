import { decodeJson, TOPICS, TruckPosition } from "@fleetstream/contracts";
import type { ConsumedRecord, Consumer, EventLog } from "@fleetstream/eventlog";
import type { Logger } from "@fleetstream/service";
import { LatestPositions } from "./position-store";

// Runs inside the custom Node server (tsx), outside the Next.js module graph, so it cannot carry
// the `server-only` marker (that package throws when loaded without the react-server condition).

export interface PositionFeedOptions {
  eventLog: EventLog;
  logger: Logger;
  /** Consumer group of this web instance; unique per instance so each one reads the whole topic. */
  groupId: string;
  /** How often changed positions are pushed, in ms. */
  flushIntervalMs: number;
  /** Partitions of truck_positions if this instance creates it (GPS_TOPIC_PARTITIONS). */
  partitions: number;
  /** Receives the positions changed since the previous flush (never empty). */
  onFlush(positions: TruckPosition[]): void;
}

export interface PositionFeed {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Latest position of every known truck. */
  snapshot(): TruckPosition[];
}

/**
 * Reads the compacted truck_positions topic from the beginning, keeps the latest position per
 * truck and hands the changed ones to `onFlush` every `flushIntervalMs`.
 */
export function createPositionFeed(options: PositionFeedOptions): PositionFeed {
  const { eventLog, groupId, flushIntervalMs, partitions, onFlush } = options;
  const logger = options.logger.child({ component: "position-feed", groupId });
  const positions = new LatestPositions();
  let consumer: Consumer | undefined;
  let timer: NodeJS.Timeout | undefined;
  let skipped = 0;

  const accept = (record: ConsumedRecord): void => {
    // A null value is a tombstone on the compacted topic: nothing to show for that key.
    if (record.value === null) return;
    const decoded = decodeJson(TruckPosition, record.value);
    if (!decoded.ok) {
      skipped += 1;
      logger.warn(
        {
          topic: record.topic,
          partition: record.partition,
          offset: record.offset,
          key: record.key,
          reason: decoded.reason,
          skipped,
        },
        "skipping invalid truck position",
      );
      return;
    }
    positions.apply(decoded.value);
  };

  const flush = (): void => {
    const changed = positions.takeChanged();
    if (changed.length > 0) onFlush(changed);
  };

  return {
    async start() {
      await eventLog.ensureTopics([{ ...TOPICS.truckPositions, partitions }]);
      consumer = eventLog.consumer({
        groupId,
        topics: [TOPICS.truckPositions.name],
        startFrom: "earliest",
        async eachBatch(batch) {
          for (const record of batch.records) accept(record);
        },
      });
      consumer.failed.catch((error: unknown) => {
        logger.error({ err: error }, "truck position consumer stopped; the map no longer updates");
      });
      await consumer.start();
      timer = setInterval(flush, flushIntervalMs);
      timer.unref();
      logger.info({ topic: TOPICS.truckPositions.name, flushIntervalMs }, "position feed started");
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      const running = consumer;
      consumer = undefined;
      await running?.stop();
    },
    snapshot: () => positions.snapshot(),
  };
}
