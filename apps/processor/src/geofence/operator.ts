import { type GeofenceAlert, TOPICS } from "@fleetstream/contracts";
import { type AlerterStats, GeofenceAlerter } from "@fleetstream/geofence";
import type { Logger } from "@fleetstream/service";
import type { AcceptedFix, OperatorOutput, StreamOperator } from "../pipeline/operator";
import type { GeofenceRegistry } from "./registry";
import { loadTruckStates, saveAlerts, saveTruckStates, type TruckStateRow } from "./store";

export interface GeofenceOperatorDeps {
  registry: GeofenceRegistry;
  logger: Logger;
  /** The processor's consumer group: state rows are keyed by it. */
  groupId: string;
  /** See GEOFENCE_CROSSING_MAX_GAP_S. */
  crossingMaxGapMs?: number;
}

export type GeofenceOperator = StreamOperator & { stats(): AlerterStats };

/**
 * Geofence alerts as a stream operator. Per batch of one partition: every fix goes through the
 * per-truck state machine (in offset order; the machine orders each truck by event time and
 * ignores duplicates and older fixes); alerts are published to truck_geofence_alerts (key = truck)
 * and inserted into geofence_alerts under their deterministic id; the state of every truck the
 * batch touched is upserted, all in the batch transaction with the partition checkpoint. So after
 * a crash the state is exactly that of the last committed batch, and the replayed batches raise
 * the same alert ids again (stored once; on the topic at least once).
 */
export function createGeofenceOperator(deps: GeofenceOperatorDeps): GeofenceOperator {
  const { registry, groupId } = deps;
  const logger = deps.logger.child({ operator: "geofence" });
  const alerter = new GeofenceAlerter(registry.index, { crossingMaxGapMs: deps.crossingMaxGapMs });
  /** Trucks in memory per input partition, so a partition's state can be dropped and reloaded. */
  const trucksOf = new Map<number, Set<string>>();

  return {
    name: "geofence",
    stats: () => structuredClone(alerter.stats),
    topics: () => [TOPICS.truckGeofenceAlerts],

    async start() {
      await registry.start();
    },

    async stop() {
      await registry.stop();
      logger.info({ ...alerter.stats, trucks: alerter.truckCount }, "geofence operator stopped");
    },

    async restore(partition, db) {
      for (const truckId of trucksOf.get(partition) ?? []) alerter.forget(truckId);
      const rows = await loadTruckStates(db, groupId, partition);
      const trucks = new Set<string>();
      for (const row of rows) {
        alerter.restore(row.truckId, row.state);
        trucks.add(row.truckId);
      }
      trucksOf.set(partition, trucks);
      logger.debug({ partition, trucks: trucks.size }, "geofence truck state restored");
    },

    process(partition: number, fixes: readonly AcceptedFix[]): OperatorOutput {
      registry.assertHealthy();
      let trucks = trucksOf.get(partition);
      if (!trucks) {
        trucks = new Set();
        trucksOf.set(partition, trucks);
      }
      const alerts: GeofenceAlert[] = [];
      const touched = new Set<string>();
      for (const { fix } of fixes) {
        if (alerter.process(fix, alerts) === "applied") touched.add(fix.truckId);
        trucks.add(fix.truckId);
      }
      // Serialised now: the next batch may change the trucks before this one is persisted.
      const rows: TruckStateRow[] = [];
      for (const truckId of touched) {
        const state = alerter.snapshot(truckId);
        if (state) rows.push({ truckId, state: JSON.stringify(state) });
      }
      return {
        records: alerts.map((alert) => ({
          topic: TOPICS.truckGeofenceAlerts.name,
          key: alert.truckId,
          value: JSON.stringify(alert),
        })),
        async persist(tx) {
          await saveTruckStates(tx, groupId, partition, rows);
          await saveAlerts(tx, alerts);
        },
      };
    },
  };
}
