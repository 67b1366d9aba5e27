import { type GpsFix, isNewerFix, TOPICS, type TruckPosition } from "@fleetstream/contracts";
import {
  dayOf,
  ensureFixPartitions,
  type Sql,
  type SqlTx,
  sqlArray,
  sqlTextArray,
} from "@fleetstream/db";
import {
  type AcceptedFix,
  BACKLOG_RECORDS,
  type CheckpointRecord,
  type OperatorCheckpoint,
  type OutputRecord,
  type StreamOperator,
} from "../pipeline/operator";

/** Fixes of one partition since its last checkpoint, column by column (what unnest takes). */
class FixColumns {
  truckId: string[] = [];
  eventTime: number[] = [];
  seq: number[] = [];
  lat: number[] = [];
  lon: number[] = [];
  speed: number[] = [];
  heading: number[] = [];
  accuracy: (number | null)[] = [];
  /** When the processor applied the row's batch (the position's processedAt). */
  processedAt: number[] = [];
  days = new Set<number>();

  push(f: GpsFix, processedAt: number): void {
    this.truckId.push(f.truckId);
    this.eventTime.push(f.eventTime);
    this.seq.push(f.seq);
    this.lat.push(f.lat);
    this.lon.push(f.lon);
    this.speed.push(f.speedKmh);
    this.heading.push(f.headingDeg);
    this.accuracy.push(f.accuracyM ?? null);
    this.processedAt.push(processedAt);
    this.days.add(dayOf(f.eventTime));
  }

  /** Row `i` as published on truck_positions. */
  positionAt(i: number): TruckPosition {
    const accuracyM = this.accuracy[i];
    return {
      v: 1,
      truckId: this.truckId[i] as string,
      seq: this.seq[i] as number,
      lat: this.lat[i] as number,
      lon: this.lon[i] as number,
      speedKmh: this.speed[i] as number,
      headingDeg: this.heading[i] as number,
      eventTime: this.eventTime[i] as number,
      ...(accuracyM === null || accuracyM === undefined ? {} : { accuracyM }),
      processedAt: this.processedAt[i] as number,
    };
  }

  get length(): number {
    return this.truckId.length;
  }

  /** The (event time, seq) of row `i`. */
  orderAt(i: number): FixOrder {
    return { eventTime: this.eventTime[i] as number, seq: this.seq[i] as number };
  }
}

/** Where a fix stands in isNewerFix's order, kept per truck and updated in place. */
interface FixOrder {
  eventTime: number;
  seq: number;
}

interface PartitionBuffer {
  fixes: FixColumns;
  /**
   * Per truck, the row in `fixes` of its newest fix since the last checkpoint. Rows and marks,
   * not the fix objects: a fix kept until the checkpoint (or for good) outlived the young
   * generation, one object per input fix for the garbage collector to copy and promote.
   */
  latest: Map<string, number>;
  /** Newest fix published to truck_positions per truck, so an older fix never moves it back. */
  published: Map<string, FixOrder>;
  /**
   * Trucks whose position is held back while the partition is behind, published at the next
   * checkpoint: the fix of their `latest` row. Not a position object per fix: held for seconds,
   * each outlived the young generation.
   */
  held: Set<string>;
}

export interface PositionsOperator extends StreamOperator {
  /** Daily partitions of position_fixes this process has made sure exist. */
  readonly knownDays: Set<number>;
}

/** A held truck's position: the fix of its latest row. */
const heldPosition = (buffer: PartitionBuffer, truckId: string): TruckPosition =>
  buffer.fixes.positionAt(buffer.latest.get(truckId) as number);

const positionRecord = (position: TruckPosition): OutputRecord => ({
  topic: TOPICS.truckPositions.name,
  key: position.truckId,
  value: JSON.stringify(position),
});

/**
 * The processor's own output as an operator: every accepted fix stored in position_fixes, each
 * truck's latest position in `trucks`, and the newest fix per truck published on truck_positions
 * (the live map): right away, per batch, while the partition is caught up; while it works through
 * a backlog (more than BACKLOG_RECORDS behind) only each truck's newest at each checkpoint, since
 * the map cannot use the positions in between. Fixes are written once per checkpoint with one
 * INSERT ... SELECT FROM unnest(...) per table; a fix already stored (same truck, event time and
 * seq: a duplicate on the input) is skipped by the primary key.
 */
export function createPositionsOperator(options: { now?: () => number } = {}): PositionsOperator {
  const now = options.now ?? Date.now;
  const partitions = new Map<number, PartitionBuffer>();
  const knownDays = new Set<number>();

  const bufferOf = (partition: number): PartitionBuffer => {
    let buffer = partitions.get(partition);
    if (!buffer) {
      buffer = {
        fixes: new FixColumns(),
        latest: new Map(),
        published: new Map(),
        held: new Set(),
      };
      partitions.set(partition, buffer);
    }
    return buffer;
  };

  return {
    name: "positions",
    knownDays,
    topics: () => [TOPICS.truckPositions],
    restore(partition) {
      partitions.delete(partition);
    },
    drop(partition) {
      partitions.delete(partition);
    },
    stateOf: () => undefined,
    stateSize: () => {
      let trucks = 0;
      for (const buffer of partitions.values()) trucks += buffer.published.size;
      return { trucks };
    },

    process(partition, fixes: readonly AcceptedFix[], { lag }): OutputRecord[] {
      const buffer = bufferOf(partition);
      const newest = new Map<string, GpsFix>();
      const columns = buffer.fixes;
      const processedAt = now();
      for (const { fix } of fixes) {
        const row = columns.length;
        columns.push(fix, processedAt);
        const latest = buffer.latest.get(fix.truckId);
        if (latest === undefined || isNewerFix(fix, columns.orderAt(latest)))
          buffer.latest.set(fix.truckId, row);
        const shown = newest.get(fix.truckId) ?? buffer.published.get(fix.truckId);
        if (isNewerFix(fix, shown)) newest.set(fix.truckId, fix);
      }
      const records: OutputRecord[] = [];
      if (lag <= BACKLOG_RECORDS && buffer.held.size > 0) {
        // Caught up: what was held goes out now, not at the next checkpoint.
        for (const truckId of buffer.held)
          if (!newest.has(truckId)) records.push(positionRecord(heldPosition(buffer, truckId)));
        buffer.held = new Set();
      }
      for (const fix of newest.values()) {
        const mark = buffer.published.get(fix.truckId);
        if (mark) {
          mark.eventTime = fix.eventTime;
          mark.seq = fix.seq;
        } else buffer.published.set(fix.truckId, { eventTime: fix.eventTime, seq: fix.seq });
        // A held truck's position is its latest row (the newest fix since the checkpoint).
        if (lag > BACKLOG_RECORDS) buffer.held.add(fix.truckId);
        else {
          buffer.held.delete(fix.truckId);
          records.push(positionRecord({ ...fix, processedAt }));
        }
      }
      return records;
    },

    checkpoint(partition): OperatorCheckpoint {
      const buffer = bufferOf(partition);
      const fixes = buffer.fixes;
      const latest = [...buffer.latest.values()];
      // Encoded when the checkpoint is written (a backlog holds one per truck of the partition).
      const heldTrucks = [...buffer.held];
      const heldRows = heldTrucks.map((truckId) => buffer.latest.get(truckId) as number);
      const held: CheckpointRecord[] = [];
      if (heldTrucks.length > 0)
        held.push({
          topic: TOPICS.truckPositions.name,
          length: heldTrucks.length,
          key: (i) => heldTrucks[i] as string,
          encode: (i) => JSON.stringify(fixes.positionAt(heldRows[i] as number)),
        });
      buffer.fixes = new FixColumns();
      buffer.latest = new Map();
      buffer.held = new Set();
      const days = [...fixes.days].filter((day) => !knownDays.has(day));
      return {
        records: held,
        changed: [],
        async prepare(sql: Sql) {
          if (days.length === 0) return;
          await ensureFixPartitions(sql, days);
          for (const day of days) knownDays.add(day);
        },
        persist: (tx) => saveFixes(tx, fixes, latest),
      };
    },
  };
}

/** Appends fixes (skipping stored ones) and moves each truck's latest position forward. */
async function saveFixes(tx: SqlTx, fixes: FixColumns, latest: readonly number[]): Promise<void> {
  if (fixes.length > 0)
    await tx.query(
      `INSERT INTO position_fixes (truck_id, event_time, seq, lat, lon, speed_kmh, heading_deg,
         accuracy_m)
       SELECT id, timestamptz 'epoch' + t * interval '1 millisecond', seq, lat, lon, speed,
         heading, accuracy
       FROM unnest($1::text[], $2::float8[], $3::int8[], $4::float8[], $5::float8[],
         $6::float8[], $7::float8[], $8::float8[])
         AS u(id, t, seq, lat, lon, speed, heading, accuracy)
       ON CONFLICT DO NOTHING`,
      [
        sqlTextArray(fixes.truckId),
        sqlArray(fixes.eventTime),
        sqlArray(fixes.seq),
        sqlArray(fixes.lat),
        sqlArray(fixes.lon),
        sqlArray(fixes.speed),
        sqlArray(fixes.heading),
        sqlArray(fixes.accuracy),
      ],
    );
  if (latest.length > 0)
    // The WHERE is isNewerFix (later event time, then higher seq): a reordered or replayed older
    // fix never moves a truck backwards.
    await tx.query(
      `INSERT INTO trucks (id, lat, lon, speed_kmh, heading_deg, event_time, seq, updated_at)
       SELECT id, lat, lon, speed, heading, timestamptz 'epoch' + t * interval '1 millisecond',
         seq, now()
       FROM unnest($1::text[], $2::float8[], $3::float8[], $4::float8[], $5::float8[],
         $6::float8[], $7::int8[]) AS u(id, lat, lon, speed, heading, t, seq)
       ON CONFLICT (id) DO UPDATE SET
         lat = excluded.lat, lon = excluded.lon, speed_kmh = excluded.speed_kmh,
         heading_deg = excluded.heading_deg, event_time = excluded.event_time,
         seq = excluded.seq, updated_at = excluded.updated_at
       WHERE (trucks.event_time, trucks.seq) < (excluded.event_time, excluded.seq)`,
      [
        sqlTextArray(latest.map((row) => fixes.truckId[row] as string)),
        sqlArray(latest.map((row) => fixes.lat[row] as number)),
        sqlArray(latest.map((row) => fixes.lon[row] as number)),
        sqlArray(latest.map((row) => fixes.speed[row] as number)),
        sqlArray(latest.map((row) => fixes.heading[row] as number)),
        sqlArray(latest.map((row) => fixes.eventTime[row] as number)),
        sqlArray(latest.map((row) => fixes.seq[row] as number)),
      ],
    );
}
