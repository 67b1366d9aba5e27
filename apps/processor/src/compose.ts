import type { Database } from "@fleetstream/db";
import type { EventLog } from "@fleetstream/eventlog";
import type { Logger } from "@fleetstream/service";
import {
  type OperatorSettings,
  type PipelineSettings,
  PROCESSOR_OPERATOR_NAMES,
  type ProcessorOperatorName,
} from "./env";
import { createOperators } from "./operators";
import { createProcessor, type Processor } from "./processor";

/** The settings the processor app is wired from (ProcessorEnv, or the launchers' env). */
export type ProcessorAppSettings = Partial<OperatorSettings> &
  Partial<PipelineSettings> & {
    PROCESSOR_GROUP_ID?: string;
    /** The lane's operators (default all), in PROCESSOR_OPERATOR_NAMES order. */
    PROCESSOR_OPERATORS?: readonly ProcessorOperatorName[];
    GPS_TOPIC_PARTITIONS: number;
  };

/**
 * The processor's lanes as `npm run stack` and the benches run them, each its own process and
 * consumer group: positions and geofence alerts (what a dispatcher waits for), and the speed
 * windows, whose minute closes (a final window per truck at once) would hold the others'
 * checkpoints for seconds in one lane.
 */
export const SPLIT_LANES: readonly (readonly ProcessorOperatorName[])[] = [
  ["positions", "geofence"],
  ["windows"],
];

/**
 * The consumer group of a lane: PROCESSOR_GROUP_ID for all operators, with the lane's operators
 * appended otherwise (e.g. fleetstream-processor-windows). Two different lanes can then never
 * share a group, whose checkpoints would fence each other.
 */
export function laneGroupId(
  groupId: string,
  operators: readonly ProcessorOperatorName[] = PROCESSOR_OPERATOR_NAMES,
): string {
  return operators.length === PROCESSOR_OPERATOR_NAMES.length
    ? groupId
    : `${groupId}-${operators.join("-")}`;
}

/**
 * The processor app as its main.ts, the all-in-one launcher and the tests wire it: the
 * processor with its operators, from settings.
 */
export function composeProcessor(deps: {
  env: ProcessorAppSettings;
  eventLog: EventLog;
  db: Database;
  logger: Logger;
  onFatal: (error: unknown) => void;
}): Processor {
  const { env, eventLog, db, logger } = deps;
  const lane = env.PROCESSOR_OPERATORS ?? PROCESSOR_OPERATOR_NAMES;
  const groupId = laneGroupId(env.PROCESSOR_GROUP_ID ?? "fleetstream-processor", lane);
  return createProcessor({
    eventLog,
    db,
    logger,
    positions: lane.includes("positions"),
    operators: createOperators({ eventLog, logger, groupId, env }, lane),
    config: {
      groupId,
      partitions: env.GPS_TOPIC_PARTITIONS,
      checkpointIntervalMs: env.PROCESSOR_CHECKPOINT_INTERVAL_MS,
      checkpointRecords: env.PROCESSOR_CHECKPOINT_RECORDS,
      backlogCheckpointIntervalMs: env.PROCESSOR_BACKLOG_CHECKPOINT_INTERVAL_MS,
      stateIntervalMs: env.PROCESSOR_STATE_INTERVAL_MS,
      maxBatchSize: env.PROCESSOR_MAX_BATCH,
      maxInFlight: env.PROCESSOR_MAX_IN_FLIGHT,
      retentionDays: env.POSITION_FIXES_RETENTION_DAYS,
      maxEventAheadMs: env.PROCESSOR_MAX_EVENT_AHEAD_MS,
    },
    onFatal: deps.onFatal,
  });
}
