// First: kafkajs's modules we replace, before kafkajs loads (kafka/patches.ts).
import "./kafka/patches";
import { isRetriableKafkaError } from "./kafka/errors";
import { KafkaEventLog, type KafkaEventLogOptions } from "./kafka/log";
import { InMemoryEventLog } from "./memory";
import type { EventLog } from "./types";

export {
  MAX_BATCH_BYTES,
  MAX_BATCH_RECORDS,
  MAX_RECORD_BYTES,
  RecordTooLargeError,
  recordBytes,
} from "./chunks";
export { DEFAULT_MAX_BATCH_SIZE } from "./consumer-common";
export {
  DLQ_MAX_RECORD_BYTES,
  DLQ_REASON_MAX_CHARS,
  deadLetter,
  deadLetterAll,
  deadLetterCopy,
  deadLetterReason,
  deadLetterRecord,
} from "./dead-letter";
export { type KafkaConsumerTuning, sessionTuning } from "./kafka/consumer";
export { isRetriableKafkaError } from "./kafka/errors";
export { KafkaEventLog, type KafkaEventLogOptions } from "./kafka/log";
export type { KafkaLogLevelName, KafkaLogLine } from "./kafka/logging";
export { kafkaSecurityConfig } from "./kafka/security";
export { InMemoryEventLog, rangeAssign } from "./memory";
export type * from "./types";

/** The Kafka options; `security` (like the others) is ignored by the embedded in-memory log. */
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
export { partitionForKey } from "./partitioner";

/**
 * Kafka as an app's start-up dependency (see `whenReachable` in @fleetstream/service): listing
 * topics is its first call, retried while no broker answers.
 */
export function kafkaReachable(eventLog: EventLog) {
  return {
    name: "Kafka",
    call: () => eventLog.ensureTopics([]),
    unreachable: isRetriableKafkaError,
  };
}
