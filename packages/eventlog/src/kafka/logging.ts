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

/** Protocol errors kafkajs logs at error level although they are a normal part of rebalancing. */
const REBALANCE_RESPONSES = [
  "The group is rebalancing, so a rejoin is needed",
  "The coordinator is not aware of this member",
  "Specified group generation id is not valid",
  "The group member needs to have a valid member id",
];

/**
 * kafkajs entries that are routine (rebalances) or reach the caller anyway as a thrown error
 * ("Cannot reach Kafka ..."); they are shown only at debug level instead of as errors.
 */
function isRoutine(entry: LogEntry): boolean {
  const { message } = entry.log;
  if (entry.namespace === "BrokerPool")
    return message.startsWith("Failed to connect to seed broker");
  if (entry.namespace !== "Connection") return false;
  if (message.startsWith("Connection error") || message.startsWith("Connection timeout"))
    return true;
  const error: unknown = entry.log.error;
  return (
    message.startsWith("Response ") &&
    typeof error === "string" &&
    REBALANCE_RESPONSES.some((routine) => error.startsWith(routine))
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
