import { type SqlTx, sqlArray, sqlTextArray } from "@fleetstream/db";
import {
  type LateFix,
  type PartialChange,
  TruckWindowColumns,
  type WindowFix,
} from "@fleetstream/windows";

/**
 * PostgreSQL side of one partition's speed-window outputs, written at each checkpoint. Batches
 * of different partitions (on any instance) write under a SHARED advisory lock; the combiner
 * (combiner.ts) takes it EXCLUSIVELY while it sums partials and finalizes fleet/geofence windows,
 * so it never reads half of a checkpoint and a checkpoint never adds to a window the combiner
 * has just made final.
 */
export const WINDOWS_LOCK_CLASS = 0x5_7714; // "speed windows"; second key = hashtext(group id)

/** ms since the epoch (a float8 SQL expression) to timestamptz, exactly. */
export const ts = (ms: string) => `(timestamptz 'epoch' + (${ms}) * interval '1 millisecond')`;

/** A column's entries [0, length) (columns reused between batches keep stale ones after). */
const column = <T>(values: T[], length: number): T[] =>
  values.length === length ? values : values.slice(0, length);

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

export interface PartitionProgressRow {
  watermark: number;
  maxEventTime: number;
  lateCount: number;
  duplicateCount: number;
}

export interface WindowOutputs<F extends WindowFix> {
  windows: TruckWindowColumns;
  partials: readonly PartialChange[];
  late: readonly LateFix<F>[];
  progress: PartitionProgressRow | undefined;
}

/**
 * The final windows of `windows` (the same columns when all are final). Open windows' early values
 * are for live readers: the topic, and the web's view, which the windows API merges with the
 * stored finals. Storing every early value (about one per fix) took about half of PostgreSQL's
 * statement time at 10,000 fixes/s.
 */
function finalOnly(windows: TruckWindowColumns): TruckWindowColumns {
  let finals = 0;
  for (let i = 0; i < windows.length; i++) if (windows.final[i]) finals++;
  if (finals === windows.length) return windows;
  const kept = new TruckWindowColumns();
  for (let i = 0; i < windows.length; i++) if (windows.final[i]) kept.append(windows, i);
  return kept;
}

/** Writes a checkpoint's final truck windows, partials, late fixes and the partition's progress. */
export async function saveWindowOutputs<F extends WindowFix>(
  tx: SqlTx,
  groupId: string,
  partition: number,
  out: WindowOutputs<F>,
): Promise<void> {
  await tx.query("SELECT pg_advisory_xact_lock_shared($1::int, hashtext($2))", [
    WINDOWS_LOCK_CLASS,
    groupId,
  ]);

  const w = finalOnly(out.windows);
  if (w.length > 0)
    await tx.query(
      `INSERT INTO truck_speed_windows (truck_id, window_start, size_ms, window_end, kind, final,
         fix_count, avg_speed_kmh, max_speed_kmh, speeding_count, distance_m, updated_at)
       SELECT u.truck_id, ${ts("u.start_ms")}, u.size_ms, ${ts("u.end_ms")}, u.kind, u.final,
         u.fix_count, u.avg, u.max, u.spd, u.dist, now()
       FROM unnest($1::text[], $2::float8[], $3::int4[], $4::float8[], $5::text[], $6::bool[],
         $7::int4[], $8::float8[], $9::float8[], $10::int4[], $11::float8[])
         AS u(truck_id, start_ms, size_ms, end_ms, kind, final, fix_count, avg, max, spd, dist)
       ON CONFLICT (truck_id, window_start, size_ms) DO UPDATE SET
         window_end = excluded.window_end, kind = excluded.kind, final = excluded.final,
         fix_count = excluded.fix_count, avg_speed_kmh = excluded.avg_speed_kmh,
         max_speed_kmh = excluded.max_speed_kmh, speeding_count = excluded.speeding_count,
         distance_m = excluded.distance_m, updated_at = excluded.updated_at
       WHERE NOT truck_speed_windows.final`,
      [
        sqlTextArray(column(w.truckId, w.length)),
        sqlArray(column(w.start, w.length)),
        sqlArray(
          Array.from({ length: w.length }, (_, i) => (w.end[i] as number) - (w.start[i] as number)),
        ),
        sqlArray(column(w.end, w.length)),
        sqlTextArray(column(w.kind, w.length)),
        sqlArray(column(w.final, w.length)),
        sqlArray(column(w.fixCount, w.length)),
        sqlArray(column(w.avgSpeedKmh, w.length)),
        sqlArray(column(w.maxSpeedKmh, w.length)),
        sqlArray(column(w.speedingCount, w.length)),
        sqlArray(column(w.distanceM, w.length)),
      ],
    );

  const p = out.partials;
  if (p.length > 0) {
    await tx.query(
      `INSERT INTO scope_speed_window_partials (group_id, scope_type, scope_id, window_start,
         size_ms, partition, window_end, final, active_trucks, speeding_trucks, fix_count,
         speed_sum_kmh, dirty)
       SELECT $1, u.scope_type, u.scope_id, ${ts("u.start_ms")}, u.size_ms, $2,
         ${ts("u.end_ms")}, u.final, u.active, u.speeding, u.fix_count, u.speed_sum, u.changed
       FROM unnest($3::text[], $4::text[], $5::float8[], $6::int4[], $7::float8[], $8::bool[],
         $9::int4[], $10::int4[], $11::int4[], $12::float8[], $13::bool[])
         AS u(scope_type, scope_id, start_ms, size_ms, end_ms, final, active, speeding, fix_count,
           speed_sum, changed)
       ON CONFLICT (group_id, scope_type, scope_id, window_start, size_ms, partition) DO UPDATE SET
         final = excluded.final, active_trucks = excluded.active_trucks,
         speeding_trucks = excluded.speeding_trucks, fix_count = excluded.fix_count,
         speed_sum_kmh = excluded.speed_sum_kmh,
         dirty = scope_speed_window_partials.dirty OR excluded.dirty`,
      [
        groupId,
        partition,
        sqlTextArray(p.map((x) => x.scopeType)),
        sqlTextArray(p.map((x) => x.scopeId)),
        sqlArray(p.map((x) => x.start)),
        sqlArray(p.map((x) => x.end - x.start)),
        sqlArray(p.map((x) => x.end)),
        sqlArray(p.map((x) => x.final)),
        sqlArray(p.map((x) => x.activeTrucks)),
        sqlArray(p.map((x) => x.speedingTrucks)),
        sqlArray(p.map((x) => x.fixCount)),
        sqlArray(p.map((x) => x.speedSumKmh)),
        sqlArray(p.map((x) => x.changed)),
      ],
    );
    // A fix may only add to a fleet/geofence window the combiner has not finalized. That can
    // only fail in a race with the idle rule (this instance had not yet seen the new processor
    // watermark): the partition is restored and replayed, and the fix then reported late.
    const changed = p.filter((x) => x.changed);
    if (changed.length > 0)
      // Raises (kind "scope-window-finalized": the partition is replayed) if one was finalized.
      await tx.query(
        `SELECT fleetstream_assert(count(*) = 0,
           format($5, count(*)), 'scope-window-finalized')
         FROM scope_speed_windows w
         JOIN unnest($1::text[], $2::text[], $3::float8[], $4::int4[])
           AS u(scope_type, scope_id, start_ms, size_ms)
         ON w.scope_type = u.scope_type AND w.scope_id = u.scope_id
           AND w.window_start = ${ts("u.start_ms")} AND w.size_ms = u.size_ms
         WHERE w.final`,
        [
          sqlTextArray(changed.map((x) => x.scopeType)),
          sqlTextArray(changed.map((x) => x.scopeId)),
          sqlArray(changed.map((x) => x.start)),
          sqlArray(changed.map((x) => x.end - x.start)),
          `partition ${partition}: %s fleet/geofence window(s) were finalized meanwhile; replaying the partition`,
        ],
      );
  }

  const late = out.late;
  if (late.length > 0)
    await tx.query(
      `INSERT INTO speed_window_late_fixes (truck_id, seq, event_time, partition, "offset", reason,
         window_end, watermark_ms)
       SELECT u.truck_id, u.seq, ${ts("u.event_ms")}, $1, u.off::bigint, u.reason,
         ${ts("u.end_ms")}, u.watermark::bigint
       FROM unnest($2::text[], $3::int8[], $4::float8[], $5::float8[], $6::text[], $7::float8[],
         $8::float8[]) AS u(truck_id, seq, event_ms, off, reason, end_ms, watermark)
       ON CONFLICT (truck_id, seq) DO NOTHING`,
      [
        partition,
        sqlTextArray(late.map((x) => x.fix.truckId)),
        sqlArray(late.map((x) => x.fix.seq)),
        sqlArray(late.map((x) => x.fix.eventTime)),
        sqlArray(late.map((x) => x.offset)),
        sqlTextArray(late.map((x) => x.reason)),
        sqlArray(late.map((x) => x.windowEnd)),
        sqlArray(late.map((x) => x.watermark)),
      ],
    );

  const progress = out.progress;
  if (progress)
    await tx.query(
      `INSERT INTO speed_window_partitions (group_id, partition, watermark_ms, max_event_time_ms,
         late_count, duplicate_count, last_input_at)
       VALUES ($1, $2, $3::float8::bigint, $4::float8::bigint, $5, $6, now())
       ON CONFLICT (group_id, partition) DO UPDATE SET
         watermark_ms = excluded.watermark_ms, max_event_time_ms = excluded.max_event_time_ms,
         late_count = excluded.late_count, duplicate_count = excluded.duplicate_count,
         last_input_at = excluded.last_input_at`,
      [
        groupId,
        partition,
        finite(progress.watermark),
        finite(progress.maxEventTime),
        progress.lateCount,
        progress.duplicateCount,
      ],
    );
}
