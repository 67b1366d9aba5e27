import { Prisma, type PrismaClient } from "@fleetstream/db";
import {
  type BatchResult,
  type PaneRecord,
  type PaneState,
  type PartitionProgress,
  type PartitionSnapshot,
  processorWatermark,
  type ScopeType,
  type WindowFix,
  type WindowPlan,
} from "@fleetstream/windows";
import type { DbReader, Tx } from "../pipeline/operator";

/**
 * PostgreSQL side of the speed windows. Batches of different partitions (on any instance) write
 * their own rows under a SHARED advisory lock; the combiner (tick) takes it EXCLUSIVELY while it
 * sums partials and finalizes fleet/geofence windows, so it never reads half of a batch and a
 * batch never adds to a window the combiner has just made final.
 */
const LOCK_CLASS = 0x5_7714; // "speed windows"; second key = hashtext(group id)

/** ms since the epoch (a bigint/float8 SQL expression) to timestamptz, exactly. */
const ts = (ms: Prisma.Sql) =>
  Prisma.sql`(timestamptz 'epoch' + (${ms}) * interval '1 millisecond')`;

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

export class ScopeWindowFinalizedError extends Error {
  override name = "ScopeWindowFinalizedError";
}

/** Writes one batch's windows, partials, panes, late fixes and the partition's watermark. */
export async function saveBatch(
  tx: Tx,
  groupId: string,
  partition: number,
  result: BatchResult<WindowFix>,
  panes: readonly PaneRecord[],
): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock_shared(${LOCK_CLASS}::int, hashtext(${groupId}))`;

  const w = result.windows;
  if (w.length > 0) {
    await tx.$executeRaw`
      INSERT INTO truck_speed_windows (truck_id, window_start, size_ms, window_end, kind, final,
        fix_count, avg_speed_kmh, max_speed_kmh, speeding_count, distance_m, updated_at)
      SELECT u.truck_id, ${ts(Prisma.sql`u.start_ms`)}, u.size_ms, ${ts(Prisma.sql`u.end_ms`)},
        u.kind, u.final, u.fix_count, u.avg, u.max, u.spd, u.dist, now()
      FROM unnest(
        ${w.truckId}::text[],
        ${w.start}::float8[],
        ${w.end.map((end, i) => end - (w.start[i] as number))}::int4[],
        ${w.end}::float8[],
        ${w.kind}::text[],
        ${w.final}::bool[],
        ${w.fixCount}::int4[],
        ${w.avgSpeedKmh}::float8[],
        ${w.maxSpeedKmh}::float8[],
        ${w.speedingCount}::int4[],
        ${w.distanceM}::float8[]
      ) AS u(truck_id, start_ms, size_ms, end_ms, kind, final, fix_count, avg, max, spd, dist)
      ON CONFLICT (truck_id, window_start, size_ms) DO UPDATE SET
        window_end = excluded.window_end, kind = excluded.kind, final = excluded.final,
        fix_count = excluded.fix_count, avg_speed_kmh = excluded.avg_speed_kmh,
        max_speed_kmh = excluded.max_speed_kmh, speeding_count = excluded.speeding_count,
        distance_m = excluded.distance_m, updated_at = excluded.updated_at
      WHERE NOT truck_speed_windows.final`;
  }

  const p = result.partials;
  if (p.length > 0) {
    await tx.$executeRaw`
      INSERT INTO scope_speed_window_partials (group_id, scope_type, scope_id, window_start,
        size_ms, partition, window_end, final, active_trucks, speeding_trucks, fix_count,
        speed_sum_kmh, dirty)
      SELECT ${groupId}, u.scope_type, u.scope_id, ${ts(Prisma.sql`u.start_ms`)}, u.size_ms,
        ${partition}, ${ts(Prisma.sql`u.end_ms`)}, u.final, u.active, u.speeding, u.fix_count,
        u.speed_sum, u.changed
      FROM unnest(
        ${p.map((x) => x.scopeType)}::text[],
        ${p.map((x) => x.scopeId)}::text[],
        ${p.map((x) => x.start)}::float8[],
        ${p.map((x) => x.end - x.start)}::int4[],
        ${p.map((x) => x.end)}::float8[],
        ${p.map((x) => x.final)}::bool[],
        ${p.map((x) => x.activeTrucks)}::int4[],
        ${p.map((x) => x.speedingTrucks)}::int4[],
        ${p.map((x) => x.fixCount)}::int4[],
        ${p.map((x) => x.speedSumKmh)}::float8[],
        ${p.map((x) => x.changed)}::bool[]
      ) AS u(scope_type, scope_id, start_ms, size_ms, end_ms, final, active, speeding, fix_count,
        speed_sum, changed)
      ON CONFLICT (group_id, scope_type, scope_id, window_start, size_ms, partition) DO UPDATE SET
        final = excluded.final, active_trucks = excluded.active_trucks,
        speeding_trucks = excluded.speeding_trucks, fix_count = excluded.fix_count,
        speed_sum_kmh = excluded.speed_sum_kmh,
        dirty = scope_speed_window_partials.dirty OR excluded.dirty`;
    // A fix may only add to a fleet/geofence window the combiner has not finalized. That can
    // only fail in a race with the idle rule (this instance had not yet seen the new processor
    // watermark): fail the batch; it is redelivered and, after restore, reported late.
    const changed = p.filter((x) => x.changed);
    if (changed.length > 0) {
      const [row] = await tx.$queryRaw<{ n: number }[]>`
        SELECT count(*)::int AS n FROM scope_speed_windows w
        JOIN unnest(${changed.map((x) => x.scopeType)}::text[], ${changed.map((x) => x.scopeId)}::text[],
          ${changed.map((x) => x.start)}::float8[], ${changed.map((x) => x.end - x.start)}::int4[])
          AS u(scope_type, scope_id, start_ms, size_ms)
        ON w.scope_type = u.scope_type AND w.scope_id = u.scope_id
          AND w.window_start = ${ts(Prisma.sql`u.start_ms`)} AND w.size_ms = u.size_ms
        WHERE w.final`;
      if ((row?.n ?? 0) > 0)
        throw new ScopeWindowFinalizedError(
          `partition ${partition}: ${row?.n} fleet/geofence window(s) were finalized meanwhile; retrying the batch`,
        );
    }
  }

  if (panes.length > 0) {
    await tx.$executeRaw`
      INSERT INTO speed_window_panes (group_id, partition, truck_id, pane_start_ms, state)
      SELECT ${groupId}, ${partition}, u.truck_id, u.start_ms::bigint, u.state::jsonb
      FROM unnest(
        ${panes.map((x) => x.truckId)}::text[],
        ${panes.map((x) => x.start)}::float8[],
        ${panes.map((x) => JSON.stringify(x.state))}::text[]
      ) AS u(truck_id, start_ms, state)
      ON CONFLICT (group_id, partition, truck_id, pane_start_ms) DO UPDATE SET state = excluded.state`;
  }
  await tx.$executeRaw`
    DELETE FROM speed_window_panes
    WHERE group_id = ${groupId} AND partition = ${partition} AND pane_start_ms < ${result.livePanesFrom}::float8::bigint`;

  const late = result.late;
  if (late.length > 0) {
    await tx.$executeRaw`
      INSERT INTO speed_window_late_fixes (truck_id, seq, event_time, partition, "offset", reason,
        window_end, watermark_ms)
      SELECT u.truck_id, u.seq, ${ts(Prisma.sql`u.event_ms`)}, ${partition}, u.off::bigint, u.reason,
        ${ts(Prisma.sql`u.end_ms`)}, u.watermark::bigint
      FROM unnest(
        ${late.map((x) => x.fix.truckId)}::text[],
        ${late.map((x) => x.fix.seq)}::int4[],
        ${late.map((x) => x.fix.eventTime)}::float8[],
        ${late.map((x) => x.offset)}::float8[],
        ${late.map((x) => x.reason)}::text[],
        ${late.map((x) => x.windowEnd)}::float8[],
        ${late.map((x) => x.watermark)}::float8[]
      ) AS u(truck_id, seq, event_ms, off, reason, end_ms, watermark)
      ON CONFLICT (truck_id, seq) DO NOTHING`;
  }

  await tx.$executeRaw`
    INSERT INTO speed_window_partitions (group_id, partition, watermark_ms, max_event_time_ms,
      late_count, duplicate_count, last_input_at)
    VALUES (${groupId}, ${partition}, ${finite(result.watermark)}::float8::bigint,
      ${finite(result.maxEventTime)}::float8::bigint, ${result.lateCount}, ${result.duplicateCount}, now())
    ON CONFLICT (group_id, partition) DO UPDATE SET
      watermark_ms = excluded.watermark_ms, max_event_time_ms = excluded.max_event_time_ms,
      late_count = excluded.late_count, duplicate_count = excluded.duplicate_count,
      last_input_at = excluded.last_input_at`;
}

/** The partition's state as of its last applied batch, and the last processor watermark. */
export async function loadPartition(
  db: DbReader,
  groupId: string,
  partition: number,
): Promise<{ snapshot: PartitionSnapshot; processorWatermark: number }> {
  const [row, panes, partials, group] = await Promise.all([
    db.speedWindowPartition.findUnique({ where: { groupId_partition: { groupId, partition } } }),
    db.speedWindowPane.findMany({ where: { groupId, partition } }),
    db.scopeSpeedWindowPartial.findMany({ where: { groupId, partition, final: false } }),
    db.speedWindowGroup.findUnique({ where: { groupId } }),
  ]);
  const num = (x: bigint | null | undefined) =>
    x === null || x === undefined ? Number.NEGATIVE_INFINITY : Number(x);
  return {
    snapshot: {
      watermark: num(row?.watermarkMs),
      maxEventTime: num(row?.maxEventTimeMs),
      lateCount: Number(row?.lateCount ?? 0),
      duplicateCount: Number(row?.duplicateCount ?? 0),
      panes: panes.map((pane) => ({
        truckId: pane.truckId,
        start: Number(pane.paneStartMs),
        state: pane.state as unknown as PaneState,
      })),
      partials: partials.map((x) => ({
        scopeType: x.scopeType as ScopeType,
        scopeId: x.scopeId,
        start: x.windowStart.getTime(),
        end: x.windowEnd.getTime(),
        final: x.final,
        fixCount: x.fixCount,
        speedSumKmh: x.speedSumKmh,
        activeTrucks: x.activeTrucks,
        speedingTrucks: x.speedingTrucks,
      })),
    },
    processorWatermark: num(group?.processorWatermarkMs),
  };
}

/**
 * The combiner, run by every instance on its tick (one at a time, under the exclusive lock):
 * computes the processor watermark (min over partitions, idle rule), sums the changed partials
 * into scope_speed_windows and marks final the windows it passed. Returns the watermark.
 */
export async function combineScopeWindows(
  prisma: PrismaClient,
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
  return prisma.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${LOCK_CLASS}::int, hashtext(${groupId}))`;
      const [states, checkpoints, group] = await Promise.all([
        tx.$queryRaw<{ partition: number; watermark_ms: bigint | null; quiet_ms: number }[]>`
          SELECT partition, watermark_ms,
            (extract(epoch FROM clock_timestamp() - last_input_at) * 1000)::float8 AS quiet_ms
          FROM speed_window_partitions WHERE group_id = ${groupId}`,
        tx.processorCheckpoint.findMany({ where: { groupId, topic: options.inputTopic } }),
        tx.speedWindowGroup.findUnique({ where: { groupId } }),
      ]);
      const state = new Map(states.map((s) => [s.partition, s]));
      const applied = new Map(checkpoints.map((c) => [c.partition, Number(c.nextOffset)]));
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
      const previous =
        group?.processorWatermarkMs == null
          ? Number.NEGATIVE_INFINITY
          : Number(group.processorWatermarkMs);
      const result = processorWatermark(progress, options.idleTimeoutMs, previous);
      const watermark = result.watermark;
      if (Number.isFinite(watermark) && watermark > previous) {
        await tx.speedWindowGroup.upsert({
          where: { groupId },
          create: { groupId, processorWatermarkMs: BigInt(watermark) },
          update: { processorWatermarkMs: BigInt(watermark), updatedAt: new Date() },
        });
      }
      // Windows ending at or before this are final (watermark >= end + allowed lateness).
      const finalThrough = finite(watermark - plan.allowedLatenessMs);
      const isFinal =
        finalThrough === null
          ? Prisma.sql`false`
          : Prisma.sql`(s.window_end <= ${ts(Prisma.sql`${finalThrough}::float8`)})`;
      await tx.$executeRaw`
        WITH touched AS (
          UPDATE scope_speed_window_partials SET dirty = false
          WHERE group_id = ${groupId} AND dirty
          RETURNING scope_type, scope_id, window_start, size_ms
        ), keys AS (SELECT DISTINCT scope_type, scope_id, window_start, size_ms FROM touched),
        s AS (
          SELECT p.scope_type, p.scope_id, p.window_start, p.size_ms, max(p.window_end) AS window_end,
            sum(p.active_trucks)::int AS active_trucks, sum(p.speeding_trucks)::int AS speeding_trucks,
            sum(p.fix_count)::int AS fix_count,
            sum(p.speed_sum_kmh ORDER BY p.partition) AS speed_sum_kmh
          FROM scope_speed_window_partials p
          JOIN keys k USING (scope_type, scope_id, window_start, size_ms)
          WHERE p.group_id = ${groupId}
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
               excluded.fix_count, excluded.speed_sum_kmh)`;
      if (finalThrough !== null) {
        await tx.$executeRaw`
          UPDATE scope_speed_windows s SET final = true, version = version + 1, pending = true,
            updated_at = now()
          WHERE NOT s.final AND ${isFinal}`;
      }
      return result;
    },
    { maxWait: 10_000, timeout: 60_000 },
  );
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
export async function pendingScopeWindows(
  db: DbReader,
  limit: number,
): Promise<PendingScopeWindow[]> {
  const rows = await db.scopeSpeedWindow.findMany({
    where: { pending: true },
    orderBy: [{ windowStart: "asc" }, { scopeType: "asc" }, { scopeId: "asc" }],
    take: limit,
  });
  return rows.map((r) => ({
    scopeType: r.scopeType as ScopeType,
    scopeId: r.scopeId,
    start: r.windowStart.getTime(),
    end: r.windowEnd.getTime(),
    final: r.final,
    activeTrucks: r.activeTrucks,
    speedingTrucks: r.speedingTrucks,
    fixCount: r.fixCount,
    avgSpeedKmh: r.avgSpeedKmh,
    version: r.version,
  }));
}

/** Marks windows published, unless they changed again since they were read. */
export async function markPublished(tx: Tx, rows: readonly PendingScopeWindow[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.$executeRaw`
    UPDATE scope_speed_windows w SET pending = false
    FROM unnest(${rows.map((r) => r.scopeType)}::text[], ${rows.map((r) => r.scopeId)}::text[],
      ${rows.map((r) => r.start)}::float8[], ${rows.map((r) => r.end - r.start)}::int4[],
      ${rows.map((r) => r.version)}::int4[]) AS u(scope_type, scope_id, start_ms, size_ms, version)
    WHERE w.scope_type = u.scope_type AND w.scope_id = u.scope_id
      AND w.window_start = ${ts(Prisma.sql`u.start_ms`)} AND w.size_ms = u.size_ms
      AND w.version = u.version`;
}
