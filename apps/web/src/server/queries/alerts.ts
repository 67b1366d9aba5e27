import type { AlertAcknowledgement, AlertView, GeofenceAlertKind } from "@fleetstream/contracts";
import { Prisma, type PrismaClient } from "@fleetstream/db";

// Alert history from PostgreSQL (geofence_alerts, written by the processor at its checkpoints,
// plus alert_acknowledgements, written by the web app).

export interface AlertFilter {
  kinds?: GeofenceAlertKind[] | undefined;
  truckIds?: string[] | undefined;
  geofenceIds?: string[] | undefined;
  /** Alerts of fences that carry this tag now. */
  tag?: string | undefined;
  acknowledged?: boolean | undefined;
  /** Event time window, epoch ms: [from, to). */
  from?: number | undefined;
  to?: number | undefined;
}

/** A position in the history's order (event time, then id, both descending). */
export interface AlertCursor {
  eventTime: number;
  id: string;
}

export function encodeCursor(cursor: AlertCursor): string {
  return Buffer.from(JSON.stringify([cursor.eventTime, cursor.id])).toString("base64url");
}

export function decodeCursor(text: string): AlertCursor | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      Number.isSafeInteger(value[0]) &&
      typeof value[1] === "string"
    ) {
      return { eventTime: value[0], id: value[1] };
    }
  } catch {}
  return undefined;
}

interface AlertRow {
  id: string;
  kind: string;
  truck_id: string;
  geofence_id: string;
  geofence_version: number;
  event_time: Date;
  since: Date;
  seq: number | bigint;
  lat: number;
  lon: number;
  speed_kmh: number;
  created_at: Date;
  acknowledged_by: string | null;
  acknowledged_at: Date | null;
}

function toView(row: AlertRow): AlertView {
  return {
    v: 1,
    id: row.id,
    kind: row.kind as GeofenceAlertKind,
    truckId: row.truck_id,
    geofenceId: row.geofence_id,
    geofenceVersion: row.geofence_version,
    eventTime: row.event_time.getTime(),
    since: row.since.getTime(),
    seq: Number(row.seq),
    lat: row.lat,
    lon: row.lon,
    speedKmh: row.speed_kmh,
    raisedAt: row.created_at.getTime(),
    acknowledged:
      row.acknowledged_by !== null && row.acknowledged_at !== null
        ? { by: row.acknowledged_by, at: row.acknowledged_at.getTime() }
        : null,
  };
}

/**
 * One page of alerts, newest first, after `before` (keyset pagination on (event_time, id), served
 * by the index geofence_alerts_event_time_id_idx): rows inserted while a client pages, wherever
 * they fall, neither shift nor repeat the rows of later pages.
 */
export async function listAlerts(
  prisma: PrismaClient,
  filter: AlertFilter,
  page: { before?: AlertCursor | undefined; limit: number },
): Promise<{ alerts: AlertView[]; next: AlertCursor | null }> {
  const where: Prisma.Sql[] = [];
  if (page.before) {
    where.push(
      Prisma.sql`(a.event_time, a.id) < (${new Date(page.before.eventTime)}, ${page.before.id})`,
    );
  }
  if (filter.kinds?.length) where.push(Prisma.sql`a.kind IN (${Prisma.join(filter.kinds)})`);
  if (filter.truckIds?.length)
    where.push(Prisma.sql`a.truck_id IN (${Prisma.join(filter.truckIds)})`);
  if (filter.geofenceIds?.length) {
    where.push(Prisma.sql`a.geofence_id IN (${Prisma.join(filter.geofenceIds)})`);
  }
  if (filter.tag !== undefined) {
    where.push(
      Prisma.sql`a.geofence_id IN (SELECT g.id FROM geofences g WHERE ${filter.tag} = ANY (g.tags))`,
    );
  }
  if (filter.acknowledged !== undefined) {
    where.push(
      filter.acknowledged ? Prisma.sql`k.alert_id IS NOT NULL` : Prisma.sql`k.alert_id IS NULL`,
    );
  }
  if (filter.from !== undefined) where.push(Prisma.sql`a.event_time >= ${new Date(filter.from)}`);
  if (filter.to !== undefined) where.push(Prisma.sql`a.event_time < ${new Date(filter.to)}`);
  const rows = await prisma.$queryRaw<AlertRow[]>`
    SELECT a.id, a.kind, a.truck_id, a.geofence_id, a.geofence_version, a.event_time, a.since,
           a.seq, a.lat, a.lon, a.speed_kmh, a.created_at, k.acknowledged_by, k.acknowledged_at
    FROM geofence_alerts a
    LEFT JOIN alert_acknowledgements k ON k.alert_id = a.id
    ${where.length > 0 ? Prisma.sql`WHERE ${Prisma.join(where, " AND ")}` : Prisma.empty}
    ORDER BY a.event_time DESC, a.id DESC
    LIMIT ${page.limit + 1}`;
  const alerts = rows.slice(0, page.limit).map(toView);
  const last = alerts[alerts.length - 1];
  return {
    alerts,
    next: rows.length > page.limit && last ? { eventTime: last.eventTime, id: last.id } : null,
  };
}

/** One stored alert, or undefined. */
export async function findAlert(prisma: PrismaClient, id: string): Promise<AlertView | undefined> {
  const rows = await prisma.$queryRaw<AlertRow[]>`
    SELECT a.id, a.kind, a.truck_id, a.geofence_id, a.geofence_version, a.event_time, a.since,
           a.seq, a.lat, a.lon, a.speed_kmh, a.created_at, k.acknowledged_by, k.acknowledged_at
    FROM geofence_alerts a
    LEFT JOIN alert_acknowledgements k ON k.alert_id = a.id
    WHERE a.id = ${id}`;
  return rows[0] ? toView(rows[0]) : undefined;
}

/** Stores an acknowledgement unless the alert has one; returns the one in force. */
export async function acknowledgeAlert(
  prisma: PrismaClient,
  ack: AlertAcknowledgement,
): Promise<AlertAcknowledgement> {
  await prisma.alertAcknowledgement.createMany({
    data: [{ alertId: ack.alertId, acknowledgedBy: ack.by, acknowledgedAt: new Date(ack.at) }],
    skipDuplicates: true,
  });
  const row = await prisma.alertAcknowledgement.findUniqueOrThrow({
    where: { alertId: ack.alertId },
  });
  return { alertId: row.alertId, by: row.acknowledgedBy, at: row.acknowledgedAt.getTime() };
}

export async function loadAcknowledgements(
  prisma: PrismaClient,
  alertIds: string[],
): Promise<AlertAcknowledgement[]> {
  const rows = await prisma.alertAcknowledgement.findMany({ where: { alertId: { in: alertIds } } });
  return rows.map((r) => ({
    alertId: r.alertId,
    by: r.acknowledgedBy,
    at: r.acknowledgedAt.getTime(),
  }));
}
