import type { Sql, SqlTx } from "@fleetstream/db";
import {
  type PartitionProgress,
  processorWatermark,
  type ScopeType,
  type WindowPlan,
} from "@fleetstream/windows";
import { ts, WINDOWS_LOCK_CLASS } from "./outputs";

/**
 * The fleet/geofence window combiner, run by every processor instance on its tick (one at a
 * time, under the exclusive lock of outputs.ts): the processor watermark from every partition's
 * progress (min over partitions, idle rule: the pure `processorWatermark`), then in SQL the sum of
 * the changed partials into scope_speed_windows and `final` for the windows the watermark passed.
 */
export async function combineScopeWindows(
  sql: Sql,
  options: {
    groupId: string;
    inputTopic: string;
    /** End offsets of the input topic's partitions (from Kafka). */
    endOffsets: readonly { partition: number; high: number }[];
    idleTimeoutMs: number;
    plan: WindowPlan;
  },
): Promise<{ watermark: number; idle: number[] }> {
  const { groupId, plan } = options;
  return sql.transaction(async (tx) => {
    // The reads come before the lock: every checkpoint waits while the combiner holds it, so it
    // is held for the writes only. What the reads miss (a checkpoint committed in between) can
    // only make the watermark lower (safe: fewer windows final this tick), like the end offsets
    // read before the transaction; the stored watermark never moves backwards (the upsert below).
    const states = await tx.query<{
      partition: number;
      watermark_ms: string | number | null;
      quiet_ms: number;
    }>(
      `SELECT partition, watermark_ms,
         (extract(epoch FROM clock_timestamp() - last_input_at) * 1000)::float8 AS quiet_ms
       FROM speed_window_partitions WHERE group_id = $1`,
      [groupId],
    );
    const checkpoints = await tx.query<{ partition: number; next_offset: string | number }>(
      "SELECT partition, next_offset FROM processor_checkpoints WHERE group_id = $1 AND topic = $2",
      [groupId, options.inputTopic],
    );
    const groups = await tx.query<{ processor_watermark_ms: string | number | null }>(
      "SELECT processor_watermark_ms FROM speed_window_groups WHERE group_id = $1",
      [groupId],
    );
    const state = new Map(states.map((s) => [s.partition, s]));
    const applied = new Map(checkpoints.map((c) => [c.partition, Number(c.next_offset)]));
    const progress: PartitionProgress[] = options.endOffsets.map(({ partition, high }) => {
      const s = state.get(partition);
      return {
        partition,
        watermark: s?.watermark_ms == null ? undefined : Number(s.watermark_ms),
        endOffset: high,
        appliedOffset: applied.get(partition) ?? 0,
        quietMs: s?.quiet_ms,
      };
    });
    const stored = groups[0]?.processor_watermark_ms;
    const previous = stored == null ? Number.NEGATIVE_INFINITY : Number(stored);
    const result = processorWatermark(progress, options.idleTimeoutMs, previous);
    const watermark = result.watermark;
    await tx.query("SELECT pg_advisory_xact_lock($1::int, hashtext($2))", [
      WINDOWS_LOCK_CLASS,
      groupId,
    ]);
    if (Number.isFinite(watermark) && watermark > previous)
      await tx.query(
        `INSERT INTO speed_window_groups (group_id, processor_watermark_ms, updated_at)
         VALUES ($1, $2::float8::bigint, now())
         ON CONFLICT (group_id) DO UPDATE SET
           processor_watermark_ms = excluded.processor_watermark_ms, updated_at = now()
         WHERE speed_window_groups.processor_watermark_ms IS NULL
           OR speed_window_groups.processor_watermark_ms < excluded.processor_watermark_ms`,
        [groupId, watermark],
      );
    // Windows ending at or before this are final (watermark >= end + allowed lateness).
    const finalThrough = Number.isFinite(watermark) ? watermark - plan.allowedLatenessMs : null;
    const isFinal = finalThrough === null ? "false" : `(s.window_end <= ${ts("$2::float8")})`;
    await tx.query(
      `WITH touched AS (
         UPDATE scope_speed_window_partials SET dirty = false
         WHERE group_id = $1 AND dirty
         RETURNING scope_type, scope_id, window_start, size_ms
       ), keys AS (SELECT DISTINCT scope_type, scope_id, window_start, size_ms FROM touched),
       s AS (
         SELECT p.scope_type, p.scope_id, p.window_start, p.size_ms, max(p.window_end) AS window_end,
           sum(p.active_trucks)::int AS active_trucks, sum(p.speeding_trucks)::int AS speeding_trucks,
           sum(p.fix_count)::int AS fix_count,
           sum(p.speed_sum_kmh ORDER BY p.partition) AS speed_sum_kmh
         FROM scope_speed_window_partials p
         JOIN keys k USING (scope_type, scope_id, window_start, size_ms)
         WHERE p.group_id = $1
         GROUP BY p.scope_type, p.scope_id, p.window_start, p.size_ms
       )
       INSERT INTO scope_speed_windows (scope_type, scope_id, window_start, size_ms, window_end,
         final, active_trucks, speeding_trucks, fix_count, speed_sum_kmh, avg_speed_kmh, version,
         pending, updated_at)
       SELECT s.scope_type, s.scope_id, s.window_start, s.size_ms, s.window_end, ${isFinal},
         s.active_trucks, s.speeding_trucks, s.fix_count, s.speed_sum_kmh,
         s.speed_sum_kmh / greatest(s.fix_count, 1), 1, true, now()
       FROM s
       ON CONFLICT (scope_type, scope_id, window_start, size_ms) DO UPDATE SET
         final = excluded.final, active_trucks = excluded.active_trucks,
         speeding_trucks = excluded.speeding_trucks, fix_count = excluded.fix_count,
         speed_sum_kmh = excluded.speed_sum_kmh, avg_speed_kmh = excluded.avg_speed_kmh,
         version = scope_speed_windows.version + 1, pending = true, updated_at = now()
       WHERE NOT scope_speed_windows.final
         AND (scope_speed_windows.final, scope_speed_windows.active_trucks,
              scope_speed_windows.speeding_trucks, scope_speed_windows.fix_count,
              scope_speed_windows.speed_sum_kmh)
           IS DISTINCT FROM (excluded.final, excluded.active_trucks, excluded.speeding_trucks,
              excluded.fix_count, excluded.speed_sum_kmh)`,
      finalThrough === null ? [groupId] : [groupId, finalThrough],
    );
    if (finalThrough !== null)
      await tx.query(
        `UPDATE scope_speed_windows s SET final = true, version = version + 1, pending = true,
           updated_at = now()
         WHERE NOT s.final AND s.window_end <= ${ts("$1::float8")}`,
        [finalThrough],
      );
    return result;
  });
}

export interface PendingScopeWindow {
  scopeType: ScopeType;
  scopeId: string;
  start: number;
  end: number;
  final: boolean;
  activeTrucks: number;
  speedingTrucks: number;
  fixCount: number;
  avgSpeedKmh: number;
  version: number;
}

/** Fleet/geofence windows changed since they were last published (oldest first). */
export async function pendingScopeWindows(sql: Sql, limit: number): Promise<PendingScopeWindow[]> {
  const rows = await sql.query<{
    scope_type: string;
    scope_id: string;
    start_ms: number;
    end_ms: number;
    final: boolean;
    active_trucks: number;
    speeding_trucks: number;
    fix_count: number;
    avg_speed_kmh: number;
    version: number;
  }>(
    `SELECT scope_type, scope_id,
       (extract(epoch FROM window_start) * 1000)::float8 AS start_ms,
       (extract(epoch FROM window_end) * 1000)::float8 AS end_ms,
       final, active_trucks, speeding_trucks, fix_count, avg_speed_kmh, version
     FROM scope_speed_windows WHERE pending
     ORDER BY window_start, scope_type, scope_id LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({
    scopeType: r.scope_type as ScopeType,
    scopeId: r.scope_id,
    start: Math.round(r.start_ms),
    end: Math.round(r.end_ms),
    final: r.final,
    activeTrucks: r.active_trucks,
    speedingTrucks: r.speeding_trucks,
    fixCount: r.fix_count,
    avgSpeedKmh: r.avg_speed_kmh,
    version: r.version,
  }));
}

/** Marks windows published, unless they changed again since they were read. */
export async function markPublished(tx: SqlTx, rows: readonly PendingScopeWindow[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    `UPDATE scope_speed_windows w SET pending = false
     FROM unnest($1::text[], $2::text[], $3::float8[], $4::int4[], $5::int4[])
       AS u(scope_type, scope_id, start_ms, size_ms, version)
     WHERE w.scope_type = u.scope_type AND w.scope_id = u.scope_id
       AND w.window_start = ${ts("u.start_ms")} AND w.size_ms = u.size_ms
       AND w.version = u.version`,
    [
      rows.map((r) => r.scopeType),
      rows.map((r) => r.scopeId),
      rows.map((r) => r.start),
      rows.map((r) => r.end - r.start),
      rows.map((r) => r.version),
    ],
  );
}
