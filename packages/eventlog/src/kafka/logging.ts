import { logLevel as KafkaLogLevel, type LogEntry } from "kafkajs";

export type KafkaLogLevelName = "nothing" | "error" | "warn" | "info" | "debug";

export interface KafkaLogLine {
  level: Exclude<KafkaLogLevelName, "nothing">;
  namespace: string;
  message: string;
  extra: Record<string, unknown>;
}

export const LEVELS: Record<KafkaLogLevelName, KafkaLogLevel> = {
  nothing: KafkaLogLevel.NOTHING,
  error: KafkaLogLevel.ERROR,
  warn: KafkaLogLevel.WARN,
  info: KafkaLogLevel.INFO,
  debug: KafkaLogLevel.DEBUG,
};

const LEVEL_NAMES = new Map<KafkaLogLevel, KafkaLogLine["level"]>([
  [KafkaLogLevel.ERROR, "error"],
  [KafkaLogLevel.WARN, "warn"],
  [KafkaLogLevel.INFO, "info"],
  [KafkaLogLevel.DEBUG, "debug"],
]);

export function writeLogLine(line: KafkaLogLine): void {
  const extra = Object.keys(line.extra).length > 0 ? ` ${JSON.stringify(line.extra)}` : "";
  process.stderr.write(`kafkajs ${line.level} [${line.namespace}] ${line.message}${extra}\n`);
}

/** Protocol errors kafkajs logs at error level although they are routine (rebalances, leader moves). */
const ROUTINE_RESPONSES = [
  "The group is rebalancing, so a rejoin is needed",
  "The coordinator is not aware of this member",
  "Specified group generation id is not valid",
  "The group member needs to have a valid member id",
  // While a restarted broker elects leaders and coordinators; kafkajs retries, and the caller
  // sees what remains.
  "This is not the correct coordinator for this group",
  "The group coordinator is not available",
  "This server is not the leader for that topic-partition",
  "There is no leader for this topic-partition",
  "The broker received an out of order sequence number",
];

/**
 * kafkajs entries that are routine (rebalances, consumer restarts) or reach the caller anyway as
 * a thrown error ("Cannot reach Kafka ..."); they are shown only at debug level instead of as
 * errors.
 */
function isRoutine(entry: LogEntry): boolean {
  const { message } = entry.log;
  // Each crash and restart of a consumer while the broker is away: our consumer logs the
  // outage once when it starts and once when it ends instead.
  if (entry.namespace === "Consumer")
    return message.startsWith("Crash: ") || message.startsWith("Restarting the consumer");
  // Each of kafkajs's own retries of a produce request; a send that still fails is thrown.
  if (entry.namespace === "Producer") return message.startsWith("Failed to send messages");
  if (entry.namespace === "BrokerPool")
    return message.startsWith("Failed to connect to seed broker");
  if (entry.namespace !== "Connection") return false;
  if (message.startsWith("Connection error") || message.startsWith("Connection timeout"))
    return true;
  const error: unknown = entry.log.error;
  return (
    message.startsWith("Response ") &&
    typeof error === "string" &&
    ROUTINE_RESPONSES.some((routine) => error.startsWith(routine))
  );
}

/** kafkajs's logCreator: routine entries demoted to debug, the rest to `log` as one line each. */
export function logCreator(configured: KafkaLogLevel, log: (line: KafkaLogLine) => void) {
  return () => (entry: LogEntry) => {
    const routine = isRoutine(entry);
    if (routine && configured < KafkaLogLevel.DEBUG) return;
    const level = routine ? "debug" : LEVEL_NAMES.get(entry.level);
    if (!level) return;
    const { message, timestamp: _timestamp, logger: _logger, ...extra } = entry.log;
    log({ level, namespace: entry.namespace, message, extra });
  };
}

/** The innermost message of an error and its causes (kafkajs wraps connection errors twice). */
export function rootMessage(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 10; depth += 1) {
    const cause: unknown =
      current instanceof Error
        ? (current.cause ?? (current as Error & { originalError?: unknown }).originalError)
        : undefined;
    if (!(cause instanceof Error)) break;
    current = cause;
  }
  return current instanceof Error ? current.message : String(current);
}
