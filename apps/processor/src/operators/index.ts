import type { EventLog } from "@fleetstream/eventlog";
import type { Logger } from "@fleetstream/service";
import type { StreamOperator } from "../pipeline/operator";

/** What every operator may need; each operator takes its own settings from ProcessorEnv. */
export interface OperatorDeps {
  eventLog: EventLog;
  logger: Logger;
  /** Consumer group of the processor; operators key their persisted state by it where needed. */
  groupId: string;
}

/**
 * The processor's stateful operators, in the order they run on each batch. One consumer
 * pipeline: every operator sees the same accepted fixes of a partition batch.
 */
export function createOperators(_deps: OperatorDeps): StreamOperator[] {
  return [];
}
