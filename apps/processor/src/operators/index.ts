import type { EventLog } from "@fleetstream/eventlog";
import type { Logger } from "@fleetstream/service";
import type { OperatorSettings } from "../env";
import { createGeofenceOperator, createGeofenceRegistry } from "../geofence";
import type { StreamOperator } from "../pipeline/operator";
import { createSpeedWindowsOperator } from "../windows";

/** What every operator may need; each operator takes its own settings from OperatorSettings. */
export interface OperatorDeps {
  eventLog: EventLog;
  logger: Logger;
  /** Consumer group of the processor; operators key their persisted rows by it where needed. */
  groupId: string;
  /** Operator settings (defaults apply to what is absent). */
  env?: Partial<OperatorSettings>;
}

/**
 * The processor's stateful operators after its built-in positions operator, in the order they
 * run on each batch: every operator sees the same accepted fixes of a partition batch.
 */
export function createOperators(deps: OperatorDeps): StreamOperator[] {
  const { env = {} } = deps;
  // Geofences from the compacted topic; also the GeofenceLookup for per-geofence windows.
  const geofences = createGeofenceRegistry({
    eventLog: deps.eventLog,
    logger: deps.logger,
    historyMs: env.GEOFENCE_HISTORY_S === undefined ? undefined : env.GEOFENCE_HISTORY_S * 1000,
  });
  return [
    createGeofenceOperator({
      registry: geofences,
      logger: deps.logger,
      crossingMaxGapMs:
        env.GEOFENCE_CROSSING_MAX_GAP_S === undefined
          ? undefined
          : env.GEOFENCE_CROSSING_MAX_GAP_S * 1000,
    }),
    createSpeedWindowsOperator({ ...deps, env, lookup: geofences }),
  ];
}
