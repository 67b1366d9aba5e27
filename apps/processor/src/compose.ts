import type { Database } from "@fleetstream/db";
import type { EventLog } from "@fleetstream/eventlog";
import type { Logger } from "@fleetstream/service";
import type { OperatorSettings, PipelineSettings } from "./env";
import { laneGroupId, PROCESSOR_OPERATOR_NAMES, type ProcessorOperatorName } from "./lanes";
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
