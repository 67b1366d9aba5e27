import { decodeJson, GeofenceAlert } from "@fleetstream/contracts";
import type { Prisma, PrismaClient } from "@fleetstream/db";
import type { RecordBatch } from "@fleetstream/eventlog";
import type { Logger } from "@fleetstream/service";
import {
  alertPayload,
  endpointSettings,
  type FenceInfo,
  matchesFilters,
  newDelivery,
  type StoredPosition,
} from "@fleetstream/webhooks";
import { insertDeliveries } from "./queue";
import type { Worker } from "./worker";

export interface IntakeStats {
  alerts: number;
  refused: number;
  deliveries: number;
}

/**
 * Turns a batch of truck_geofence_alerts records into one delivery per (alert, matching enabled
 * endpoint) and stores them, before the batch's offsets are committed. A record that is not a
 * valid alert is refused with a reason in the log; it never stops the consumer. The delivery id
 * is derived from the alert id and the endpoint, so a batch seen twice (redelivery after a
 * crash, an alert the processor published twice) inserts nothing new.
 *
 * An endpoint receives alerts published at or after its creation (record timestamp), not the
 * topic's history.
 */
export function createIntake(deps: {
  prisma: PrismaClient;
  logger: Logger;
  /** Takes new deliveries straight from the intake when it has free slots. */
  worker: Pick<Worker, "reserve" | "begin" | "release" | "useEndpoints" | "leaseMs">;
  now?: () => number;
}) {
  const { prisma, logger, worker, now = Date.now } = deps;
  const stats: IntakeStats = { alerts: 0, refused: 0, deliveries: 0 };

  function decode(batch: RecordBatch) {
    const alerts: { alert: GeofenceAlert; publishedAt: number }[] = [];
    let refused = 0;
    for (const record of batch.records) {
      const decoded = decodeJson(GeofenceAlert, record.value);
      if (decoded.ok) {
        alerts.push({ alert: decoded.value, publishedAt: record.timestamp });
      } else {
        refused += 1;
        logger.warn(
          { partition: record.partition, offset: record.offset, reason: decoded.reason },
          "refused a record that is not an alert",
        );
      }
    }
    return { alerts, refused };
  }

  async function deliveriesOf(
    alerts: readonly { alert: GeofenceAlert; publishedAt: number }[],
  ): Promise<Prisma.WebhookDeliveryCreateManyInput[]> {
    if (alerts.length === 0) return [];
    const fenceIds = [...new Set(alerts.map((a) => a.alert.geofenceId))];
    const truckIds = [...new Set(alerts.map((a) => a.alert.truckId))];
    // One round trip: every lookup at once.
    const [endpoints, fenceRows, truckRows] = await Promise.all([
      prisma.webhookEndpoint.findMany({ where: { enabled: true } }),
      prisma.geofence.findMany({
        where: { id: { in: fenceIds } },
        select: { id: true, name: true, tags: true },
      }),
      prisma.truck.findMany({ where: { id: { in: truckIds } } }),
    ]);
    const fences = new Map<string, FenceInfo>(fenceRows.map((f) => [f.id, f]));
    const trucks = new Map<string, StoredPosition>(
      truckRows.map((t) => [
        t.id,
        {
          lat: t.lat,
          lon: t.lon,
          speedKmh: t.speedKmh,
          headingDeg: t.headingDeg,
          eventTime: t.eventTime.getTime(),
          // int4 today, int8 (bigint) once the processor widens it: a number either way.
          seq: Number(t.seq),
        },
      ]),
    );
    worker.useEndpoints(endpoints);

    const targets = endpoints.map((row) => ({
      id: row.id,
      createdAt: row.createdAt.getTime(),
      filters: endpointSettings(row).filters,
    }));
    const at = new Date(now());
    const rows: Prisma.WebhookDeliveryCreateManyInput[] = [];
    for (const { alert, publishedAt } of alerts) {
      const fence = fences.get(alert.geofenceId);
      let payload: ReturnType<typeof alertPayload> | undefined;
      for (const endpoint of targets) {
        if (publishedAt < endpoint.createdAt) continue;
        if (!matchesFilters(endpoint.filters, alert, fence?.tags ?? [])) continue;
        payload ??= alertPayload(alert, fence, trucks.get(alert.truckId));
        rows.push(newDelivery({ endpointId: endpoint.id, eventId: alert.id, ...payload, now: at }));
      }
    }
    return rows;
  }

  return {
    stats: (): IntakeStats => ({ ...stats }),
    /**
     * Stores the batch's deliveries; returns how many are new and how many of those wait for a
     * claim (the rest went straight to the worker). The database work runs inside `retry`
     * (which waits out an outage, or throws to leave the batch uncommitted).
     */
    async store(
      batch: RecordBatch,
      retry: <T>(work: () => Promise<T>) => Promise<T> = (work) => work(),
    ): Promise<{ added: number; waiting: number }> {
      const { alerts, refused } = decode(batch);
      const { count, waiting } = await retry(async () => {
        const rows = await deliveriesOf(alerts);
        // Deliveries the worker has a free slot for are inserted claimed and sent at once,
        // without another round trip to claim them.
        const reserved = worker.reserve(rows);
        let inserted = new Set<string>();
        let begun = 0;
        try {
          inserted = await insertDeliveries(
            prisma,
            rows,
            reserved,
            new Date(now() + worker.leaseMs),
          );
        } finally {
          const taken = rows.filter((row) => row.id !== undefined && reserved.has(row.id));
          worker.release(taken.filter((row) => !inserted.has(row.id as string)));
          const handed = taken.filter((row) => inserted.has(row.id as string));
          begun = handed.length;
          worker.begin(
            handed.map((row) => ({
              id: row.id as string,
              endpointId: row.endpointId,
              eventType: row.eventType,
              payload: row.payload,
              retryStep: 0,
              createdAt: new Date(row.createdAt),
            })),
          );
        }
        return { count: inserted.size, waiting: inserted.size - begun };
      });
      stats.alerts += alerts.length;
      stats.refused += refused;
      stats.deliveries += count;
      return { added: count, waiting };
    },
  };
}

export type Intake = ReturnType<typeof createIntake>;
