import type { EventLog } from "@fleetstream/eventlog";
import type { Logger } from "@fleetstream/service";
import type { OperatorSettings } from "../env";
import { createGeofenceOperator, createGeofenceRegistry } from "../geofence";
import type { ProcessorOperatorName } from "../lanes";
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
 * run on each batch: every operator sees the same accepted fixes of a partition batch. `names`:
 * the lane's operators (positions is the processor's own, not created here).
 */
export function createOperators(
  deps: OperatorDeps,
  names: readonly ProcessorOperatorName[] = ["geofence", "windows"],
): StreamOperator[] {
  const { env = {} } = deps;
  // Geofences from the compacted topic; also the GeofenceLookup for per-geofence windows.
  const geofences = createGeofenceRegistry({
    eventLog: deps.eventLog,
    logger: deps.logger,
    historyMs: env.GEOFENCE_HISTORY_S === undefined ? undefined : env.GEOFENCE_HISTORY_S * 1000,
  });
  return [
    ...(names.includes("geofence")
      ? [
          createGeofenceOperator({
            registry: geofences,
            logger: deps.logger,
            crossingMaxGapMs:
              env.GEOFENCE_CROSSING_MAX_GAP_S === undefined
                ? undefined
                : env.GEOFENCE_CROSSING_MAX_GAP_S * 1000,
          }),
        ]
      : []),
    ...(names.includes("windows")
      ? [createSpeedWindowsOperator({ ...deps, env, lookup: geofences })]
      : []),
  ];
}
