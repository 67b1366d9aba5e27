import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { ClientToServerEvents, ServerToClientEvents, TopicSpec } from "@fleetstream/contracts";
import { decodeJson } from "@fleetstream/contracts";
import type { ConsumedRecord, EventLog, Reader, RecordBatch } from "@fleetstream/eventlog";
import type { HealthCheck, Logger } from "@fleetstream/service";
import type { Server, Socket } from "socket.io";
import type { z } from "zod";

// Runs inside the custom Node server (tsx), outside the Next.js module graph.

/** Longest a feed decodes records before it lets other work in (other feeds, pushes). */
const BATCH_SLICE_MS = 8;

export type FleetServer = Server<ClientToServerEvents, ServerToClientEvents>;
export type FleetSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

/**
 * One live channel of the dashboard: a topic, the web server's in-memory view of it, and the
 * socket.io events that carry it to browsers. The web server starts every feed, calls `flush`
 * soon after a feed reports a change (paced by flush-pacer.ts: at once when idle, coalesced under
 * load) and `connect` for every new socket.
 */
export interface LiveFeed {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /**
   * Not ok until its reader has replayed what the topics held at start (a browser served before
   * would get the history as a flood of changes), and not ok once its reader has stopped on an
   * error (the channel no longer updates).
   */
  health(): HealthCheck;
  /** Records read so far, per topic: applied to the view, or skipped as invalid. */
  counts(): Record<string, RecordCounts>;
  /** Pushes what changed since the previous flush. */
  flush(io: FleetServer): void;
  /** Brings a new browser up to date and handles what it sends on this channel. */
  connect(socket: FleetSocket): void | Promise<void>;
}

export interface TopicHandler<T> {
  spec: TopicSpec;
  schema: z.ZodType<T>;
  /**
   * A quicker check of the common case (isTruckPosition): what it accepts is taken as it is,
   * anything else goes through the schema (which names what is wrong).
   */
  accepts?: (json: unknown) => json is T;
  /** A decoded record; `record` for its timestamp and key. */
  accept(value: T, record: ConsumedRecord): void;
  /** A null value (tombstone on a compacted topic); ignored when absent. */
  tombstone?(record: ConsumedRecord): void;
}

export interface RecordCounts {
  applied: number;
  skipped: number;
}

export interface TopicReaderOptions {
  eventLog: EventLog;
  logger: Logger;
  /** Partition count for the partitioned topics, should this instance create them. */
  partitions: number;
  // biome-ignore lint/suspicious/noExplicitAny: handlers of different record types in one list
  handlers: TopicHandler<any>[];
  /** Called when something waits to be pushed (after each batch of records): flush soon. */
  onChange?: () => void;
  /** While replaying, how often to ask whether retention deleted what is left to read. */
  replayCheckMs?: number;
}

/**
 * Reads topics whole, from the beginning, without a consumer group (each web instance sees every
 * record and leaves no group behind), and hands each decoded record to its topic's handler. A
 * record that does not decode is logged and skipped: it never stops the feed.
 */
export function createTopicReader(
  name: string,
  options: TopicReaderOptions,
): Pick<LiveFeed, "name" | "start" | "stop" | "health" | "counts"> {
  const { eventLog, handlers } = options;
  const logger = options.logger.child({ feed: name });
  const byTopic = new Map(handlers.map((h) => [h.spec.name, h]));
  const counts: Record<string, RecordCounts> = Object.fromEntries(
    handlers.map((h) => [h.spec.name, { applied: 0, skipped: 0 }]),
  );
  let reader: Reader | undefined;
  let replayCheck: NodeJS.Timeout | undefined;
  let failure: string | undefined;
  let skipped = 0;
  /** Per "topic:partition" still being replayed: [next offset read, end offset at start]. */
  const replaying = new Map<string, [number, number]>();

  const accept = (record: ConsumedRecord): void => {
    const handler = byTopic.get(record.topic);
    if (!handler) return;
    if (record.value === null) {
      handler.tombstone?.(record);
      return;
    }
    const decoded = decodeJson(handler.schema, record.value, handler.accepts);
    const count = counts[record.topic] as RecordCounts;
    if (!decoded.ok) {
      skipped += 1;
      count.skipped += 1;
      logger.warn(
        {
          topic: record.topic,
          partition: record.partition,
          offset: record.offset,
          key: record.key,
          reason: decoded.reason,
          skipped,
        },
        "skipping invalid record",
      );
      return;
    }
    handler.accept(decoded.value, record);
    count.applied += 1;
  };

  return {
    name,
    async start(): Promise<void> {
      await eventLog.ensureTopics(
        handlers.map(({ spec }) =>
          spec.partitions === 1 ? spec : { ...spec, partitions: options.partitions },
        ),
      );
      failure = undefined;
      replaying.clear();
      for (const topic of byTopic.keys()) {
        for (const { partition, low, high } of await eventLog.offsets(topic)) {
          if (high > low) replaying.set(`${topic}:${partition}`, [low, high]);
        }
      }
      const replayStarted = Date.now();
      const readUpTo = (key: string, next: number) => {
        const progress = replaying.get(key);
        if (!progress) return;
        progress[0] = Math.max(progress[0], next);
        if (progress[0] < progress[1]) return;
        replaying.delete(key);
        if (replaying.size > 0) return;
        clearInterval(replayCheck);
        logger.info({ ms: Date.now() - replayStarted }, "feed caught up with its topics");
      };
      const replayed = (batch: RecordBatch) => {
        const last = batch.records.at(-1);
        if (last) readUpTo(`${batch.topic}:${batch.partition}`, last.offset + 1);
      };
      // Records the replay waits for can be deleted by retention before they are read: no batch
      // then ever reaches the end of that partition, so its log start offset is asked again.
      const skipDeleted = async () => {
        for (const topic of byTopic.keys()) {
          for (const { partition, low } of await eventLog.offsets(topic))
            readUpTo(`${topic}:${partition}`, low);
        }
      };
      clearInterval(replayCheck);
      if (replaying.size > 0) {
        replayCheck = setInterval(() => {
          skipDeleted().catch(() => {}); // asked again next time
        }, options.replayCheckMs ?? 5_000);
        replayCheck.unref();
      }
      const started = eventLog.reader({
        topics: handlers.map((h) => h.spec.name),
        startFrom: "earliest",
        async eachBatch(batch) {
          // In slices, the event loop turning in between: a minute's close brings a window of
          // every truck at once (100,000 at 50,000 trucks), and decoding them in one go held
          // every other feed's batches, and the positions pushed to browsers, for half a second.
          let sliceEnd = performance.now() + BATCH_SLICE_MS;
          const { records } = batch;
          for (let i = 0; i < records.length; i++) {
            accept(records[i] as ConsumedRecord);
            if ((i & 127) === 127 && performance.now() > sliceEnd) {
              options.onChange?.();
              await yieldToEventLoop();
              sliceEnd = performance.now() + BATCH_SLICE_MS;
            }
          }
          if (replaying.size > 0) replayed(batch);
          options.onChange?.();
        },
      });
      reader = started;
      started.failed.catch((error: unknown) => {
        if (reader !== started) return;
        failure = `reader stopped: ${(error as Error).message ?? String(error)}`;
        logger.error({ err: error }, "feed reader stopped; this channel no longer updates");
      });
      await started.start();
      logger.info({ topics: [...byTopic.keys()] }, "feed started");
    },
    async stop(): Promise<void> {
      const running = reader;
      reader = undefined;
      clearInterval(replayCheck);
      await running?.stop();
    },
    health(): HealthCheck {
      if (failure) return { ok: false, detail: failure };
      if (!reader) return { ok: false, detail: "not started" };
      if (replaying.size > 0) {
        let left = 0;
        for (const [next, end] of replaying.values()) left += end - next;
        return { ok: false, detail: `replaying its topics: ${left} records to go` };
      }
      return { ok: true };
    },
    counts: () => counts,
  };
}
