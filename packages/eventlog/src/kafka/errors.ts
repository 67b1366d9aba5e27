/** kafkajs errors that mean "Kafka is unreachable or busy": the same call may succeed later. */
const TRANSIENT = new Set([
  "KafkaJSConnectionError",
  "KafkaJSConnectionClosedError",
  "KafkaJSNumberOfRetriesExceeded",
  "KafkaJSRequestTimeoutError",
  "KafkaJSBrokerNotFound",
  "KafkaJSMetadataNotLoaded",
  "KafkaJSLockTimeout",
]);

/** Idempotent-producer errors: our producer starts a new session after them (producer.ts). */
const NEW_SESSION = new Set([
  "OUT_OF_ORDER_SEQUENCE_NUMBER",
  "UNKNOWN_PRODUCER_ID",
  "INVALID_PRODUCER_EPOCH",
]);

/**
 * Whether a failed Kafka call is worth repeating as is: a connection error, a timeout, or an
 * error kafkajs marks retriable, anywhere in the cause chain ("Cannot reach Kafka …" wraps one).
 * Unknown topics, records too large and closed clients are not.
 */
export function isRetriableKafkaError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 10; depth++) {
    if ((current as { retriable?: unknown }).retriable === true) return true;
    if (TRANSIENT.has(current.name)) return true;
    const { type } = current as { type?: unknown };
    if (typeof type === "string" && NEW_SESSION.has(type)) return true;
    current = current.cause ?? (current as { originalError?: unknown }).originalError;
  }
  return false;
}
