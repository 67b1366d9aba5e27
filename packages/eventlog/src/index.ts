import { KafkaEventLog, type KafkaEventLogOptions } from "./kafka";
import { InMemoryEventLog } from "./memory";
import type { EventLog } from "./types";

export { DEFAULT_MAX_BATCH_SIZE } from "./consumer-common";
export { deadLetter } from "./dead-letter";
export {
  type KafkaConsumerTuning,
  KafkaEventLog,
  type KafkaEventLogOptions,
  type KafkaLogLevelName,
  type KafkaLogLine,
} from "./kafka";
export { InMemoryEventLog, rangeAssign } from "./memory";
export type * from "./types";

export interface CreateEventLogOptions extends Omit<KafkaEventLogOptions, "brokers"> {
  /** Kafka bootstrap brokers ("host:port"); none or empty means the embedded in-memory log. */
  brokers?: string[];
}

/** Kafka when brokers are configured, otherwise the embedded in-memory log. */
export function createEventLog(options: CreateEventLogOptions): EventLog {
  const brokers = (options.brokers ?? []).map((broker) => broker.trim()).filter(Boolean);
  if (brokers.length === 0) return new InMemoryEventLog();
  return new KafkaEventLog({ ...options, brokers });
}
