import { GEOFENCE_DELETED_AT_HEADER, Geofence, GeofenceId, TOPICS } from "@fleetstream/contracts";
import type { ConsumedRecord, EventLog, Reader } from "@fleetstream/eventlog";
import { GeofenceIndex } from "@fleetstream/geofence";
import type { Logger } from "@fleetstream/service";
import type { GeofenceLookup, GeofenceRef } from "../pipeline/operator";

export interface GeofenceRegistryStats {
  /** Fences with a current (not deleted) version. */
  fences: number;
  upserts: number;
  deletes: number;
  /** Records on the topic that did not decode (logged and skipped). */
  invalid: number;
}

/**
 * The geofences this processor instance matches against: the whole compacted `geofences` topic,
 * read from the beginning by a group-less reader (every instance needs every fence), then
 * followed live. Each change is a new version valid from its `updatedAt` (a tombstone ends
 * the fence at its deletion time), so a change applies to fixes whose event time is at or after it.
 */
export interface GeofenceRegistry extends GeofenceLookup {
  readonly index: GeofenceIndex;
  /** Resolves once every record that was on the topic when it was called has been applied. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Throws if the change feed has failed (fences would go stale); the batch then fails. */
  assertHealthy(): void;
  stats(): GeofenceRegistryStats;
}

export interface GeofenceRegistryDeps {
  eventLog: EventLog;
  logger: Logger;
  /** See GEOFENCE_HISTORY_S. */
  historyMs?: number;
  /** How long start() waits to catch up with the topic (default 60 s). */
  catchUpTimeoutMs?: number;
}

export function createGeofenceRegistry(deps: GeofenceRegistryDeps): GeofenceRegistry {
  const { eventLog, catchUpTimeoutMs = 60_000 } = deps;
  const logger = deps.logger.child({ component: "geofence-registry" });
  const topic = TOPICS.geofences.name;
  const index = new GeofenceIndex({ historyMs: deps.historyMs });
  const stats: GeofenceRegistryStats = { fences: 0, upserts: 0, deletes: 0, invalid: 0 };
  let consumer: Reader | undefined;
  let starting: Promise<void> | undefined;
  let failure: unknown;

  function apply(record: ConsumedRecord): void {
    const id = GeofenceId.safeParse(record.key);
    if (!id.success) {
      stats.invalid++;
      logger.warn(
        { offset: record.offset, key: record.key },
        "geofence record without a valid key",
      );
      return;
    }
    if (record.value === null) {
      const header = Number(record.headers[GEOFENCE_DELETED_AT_HEADER]);
      index.remove(id.data, Number.isFinite(header) ? header : record.timestamp);
      stats.deletes++;
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(record.value.toString("utf8"));
    } catch {
      json = undefined;
    }
    const parsed = Geofence.safeParse(json);
    if (!parsed.success || parsed.data.id !== id.data) {
      stats.invalid++;
      logger.warn(
        {
          offset: record.offset,
          key: record.key,
          error: parsed.error?.message ?? "id differs from key",
        },
        "invalid geofence record skipped",
      );
      return;
    }
    try {
      index.upsert(parsed.data);
      stats.upserts++;
    } catch (error) {
      stats.invalid++;
      logger.warn(
        { offset: record.offset, key: record.key, err: error },
        "unusable geofence skipped",
      );
    }
  }

  async function run(): Promise<void> {
    await eventLog.ensureTopics([TOPICS.geofences]);
    // What "caught up" means: every partition read up to its last offset as of now.
    const ends = await eventLog.offsets(topic);
    const remaining = new Map(
      ends.filter((e) => e.high > e.low).map((e) => [e.partition, e.high - 1]),
    );
    let caughtUp!: () => void;
    let failed!: (error: unknown) => void;
    const ready = new Promise<void>((resolve, reject) => {
      caughtUp = resolve;
      failed = reject;
    });
    if (remaining.size === 0) caughtUp();
    const started = Date.now();
    consumer = eventLog.reader({
      topics: [topic],
      eachBatch: async (batch) => {
        for (const record of batch.records) apply(record);
        const last = batch.records.at(-1);
        const target = remaining.get(batch.partition);
        if (last && target !== undefined && last.offset >= target) {
          remaining.delete(batch.partition);
          if (remaining.size === 0) caughtUp();
        }
      },
    });
    consumer.failed.catch((error: unknown) => {
      failure = error;
      logger.error({ err: error }, "geofence change feed failed; fences would go stale");
      failed(error);
    });
    await consumer.start();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(`geofence registry did not read "${topic}" within ${catchUpTimeoutMs} ms`),
          ),
        catchUpTimeoutMs,
      );
    });
    try {
      await Promise.race([ready, timeout]);
    } finally {
      clearTimeout(timer);
    }
    logger.info(
      { fences: index.size, records: stats.upserts + stats.deletes, ms: Date.now() - started },
      "geofences loaded",
    );
  }

  return {
    index,
    start() {
      starting ??= run();
      return starting;
    },
    async stop() {
      await consumer?.stop();
      consumer = undefined;
    },
    assertHealthy() {
      if (failure !== undefined) {
        throw new Error("geofence change feed failed; refusing to match against stale fences", {
          cause: failure,
        });
      }
    },
    stats: () => ({ ...stats, fences: index.size }),
    containing(lat: number, lon: number, eventTime: number): readonly GeofenceRef[] {
      return index.containing(lat, lon, eventTime).map((v) => ({
        id: v.id,
        speedLimitKmh: v.speedLimitKmh ?? undefined,
      }));
    },
  };
}
