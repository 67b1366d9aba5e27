import { describeIssues } from "@fleetstream/contracts";
import { z } from "zod";

/** Thrown when configuration is invalid; `runMain` prints its message as one line and exits 2. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * Parses environment variables with a zod object schema, once, at boot.
 * The error names every bad variable in one line, e.g.
 *   "invalid configuration: PORT: Invalid input: expected number, received NaN"
 */
export function parseEnv<S extends z.ZodType>(
  schema: S,
  source: NodeJS.ProcessEnv = process.env,
): z.infer<S> {
  // Treat empty strings as unset so `FOO= npm start` falls back to the default.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== ""));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success)
    throw new ConfigError(`invalid configuration: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/** Comma-separated broker list; absent means the embedded in-process log. */
export const brokersVar = z
  .string()
  .transform((s) =>
    s
      .split(",")
      .map((b) => b.trim())
      .filter(Boolean),
  )
  .pipe(
    z
      .array(z.string().regex(/^[^\s:]+:\d{1,5}$/, "each broker must look like host:port"))
      .min(1, "list at least one host:port"),
  );

export const portVar = (fallback: number) =>
  z.coerce.number().int().min(0).max(65535).default(fallback);

/**
 * KAFKA_SESSION_TIMEOUT_MS: Kafka drops a consumer that has not heartbeated this long and moves
 * its partitions. kafkajs heartbeats between batches only: long enough for the slowest batch on
 * a busy host (the broker's minimum is 6 s).
 */
export const sessionTimeoutVar = z.coerce.number().int().min(6_000).max(300_000).default(30_000);

export const logLevelVar = z
  .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
  .default("info");
