import { type GeofenceAlert, TOPICS } from "@fleetstream/contracts";
import { type AlerterStats, GeofenceAlerter } from "@fleetstream/geofence";
import type { Logger } from "@fleetstream/service";
import type {
  AcceptedFix,
  OperatorCheckpoint,
  OutputRecord,
  StreamOperator,
} from "../pipeline/operator";
import type { GeofenceRegistry } from "./registry";
import { saveAlerts } from "./store";

export interface GeofenceOperatorDeps {
  registry: GeofenceRegistry;
  logger: Logger;
  /** See GEOFENCE_CROSSING_MAX_GAP_S. */
  crossingMaxGapMs?: number;
}

export type GeofenceOperator = StreamOperator & { stats(): AlerterStats };

/** Per input partition: its trucks, those changed since the last checkpoint, alerts not yet stored. */
interface PartitionState {
  trucks: Set<string>;
  changed: Set<string>;
  alerts: GeofenceAlert[];
}

/**
 * Geofence alerts as a stream operator. Every fix goes through the per-truck state machine (in
 * offset order; the machine orders each truck by event time and ignores duplicates and older
 * fixes). Alerts are published to truck_geofence_alerts (key = truck) at once, and inserted into
 * geofence_alerts under their deterministic id at the next checkpoint, with the state of every
 * truck that changed. A replay after a crash raises the same alert ids again (stored once; on the
 * topic at least once).
 */
export function createGeofenceOperator(deps: GeofenceOperatorDeps): GeofenceOperator {
  const { registry } = deps;
  const logger = deps.logger.child({ operator: "geofence" });
  const alerter = new GeofenceAlerter(registry.index, { crossingMaxGapMs: deps.crossingMaxGapMs });
  const partitions = new Map<number, PartitionState>();

  const stateOf = (partition: number): PartitionState => {
    let state = partitions.get(partition);
    if (!state) {
      state = { trucks: new Set(), changed: new Set(), alerts: [] };
      partitions.set(partition, state);
    }
    return state;
  };

  const forget = (partition: number) => {
    for (const truckId of partitions.get(partition)?.trucks ?? []) alerter.forget(truckId);
    partitions.delete(partition);
  };

  return {
    name: "geofence",
    stats: () => structuredClone(alerter.stats),
    stateSize: () => ({ trucks: alerter.truckCount, fences: registry.index.size }),
    topics: () => [TOPICS.truckGeofenceAlerts],

    async start() {
      await registry.start();
    },

    async stop() {
      await registry.stop();
      logger.info({ ...alerter.stats, trucks: alerter.truckCount }, "geofence operator stopped");
    },

    restore(partition, stored) {
      forget(partition);
      const state = stateOf(partition);
      for (const [truckId, json] of stored) {
        alerter.restore(truckId, json);
        state.trucks.add(truckId);
      }
    },

    drop: forget,

    stateOf: (_partition, key) => alerter.snapshot(key),

    process(partition: number, fixes: readonly AcceptedFix[]): OutputRecord[] {
      registry.assertHealthy();
      const state = stateOf(partition);
      const alerts: GeofenceAlert[] = [];
      for (const { fix } of fixes) {
        if (alerter.process(fix, alerts) === "applied") state.changed.add(fix.truckId);
        state.trucks.add(fix.truckId);
      }
      for (const alert of alerts) state.alerts.push(alert);
      return alerts.map((alert) => ({
        topic: TOPICS.truckGeofenceAlerts.name,
        key: alert.truckId,
        value: JSON.stringify(alert),
      }));
    },

    checkpoint(partition): OperatorCheckpoint {
      const state = stateOf(partition);
      const { changed, alerts } = state;
      state.changed = new Set();
      state.alerts = [];
      return { records: [], changed, persist: (tx) => saveAlerts(tx, alerts) };
    },
  };
}
