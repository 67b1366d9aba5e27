import { readFileSync } from "node:fs";
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

const trueFalse = z
  .enum(["true", "false"], "must be true or false")
  .transform((value) => value === "true");

export const KAFKA_SASL_MECHANISMS = ["plain", "scram-sha-256", "scram-sha-512"] as const;
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

/**
 * How the apps reach a managed Kafka cluster (TLS, SASL): spread into an app's env schema
 * (`z.object({ ...kafkaSecurityVars })`), then turned into event-log options by `kafkaSecurity`.
 */
export const kafkaSecurityVars = {
  /** TLS to the brokers (SSL or SASL_SSL listeners). */
  KAFKA_SSL: trueFalse.default(false),
  /** PEM bundle of the CAs that signed the brokers' certificates; unset: Node's default CAs. */
  KAFKA_SSL_CA_FILE: z.string().optional(),
  /** false accepts any broker certificate (self-signed test clusters only). Unset: true. */
  KAFKA_SSL_REJECT_UNAUTHORIZED: trueFalse.optional(),
  /** SASL mechanism, as Kafka spells it (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) or lower case. */
  KAFKA_SASL_MECHANISM: z
    .string()
    .transform((value) => value.toLowerCase())
    .pipe(z.enum(KAFKA_SASL_MECHANISMS, `one of ${KAFKA_SASL_MECHANISMS.join(", ")}`))
    .optional(),
  KAFKA_SASL_USERNAME: z.string().optional(),
  /** Never logged: only this module and the Kafka client see it. */
  KAFKA_SASL_PASSWORD: z.string().optional(),
};
const KafkaSecurityEnv = z.object(kafkaSecurityVars);
export type KafkaSecurityEnv = z.infer<typeof KafkaSecurityEnv>;

/** TLS and SASL settings of a Kafka client, as plain values (the event log maps them to kafkajs). */
export interface KafkaSecurity {
  /** TLS on; `ca` (PEM, one or more certificates) replaces Node's default CAs when set. */
  ssl?: { ca?: string; rejectUnauthorized: boolean };
  sasl?: { mechanism: KafkaSaslMechanism; username: string; password: string };
}

const invalid = (name: string, problem: string) =>
  new ConfigError(`invalid configuration: ${name}: ${problem}`);

/**
 * The Kafka security settings of parsed env values, checked together; reads KAFKA_SSL_CA_FILE.
 * Throws a ConfigError naming the variable. `{}` when none is set: plaintext, no authentication.
 */
export function kafkaSecurity(
  env: KafkaSecurityEnv,
  readFile: (path: string) => string = (path) => readFileSync(path, "utf8"),
): KafkaSecurity {
  const security: KafkaSecurity = {};
  if (env.KAFKA_SSL) {
    let ca: string | undefined;
    if (env.KAFKA_SSL_CA_FILE !== undefined) {
      try {
        ca = readFile(env.KAFKA_SSL_CA_FILE);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const reason =
          code === "ENOENT" ? "no such file" : code ? `cannot read it (${code})` : "cannot read it";
        throw invalid("KAFKA_SSL_CA_FILE", `${env.KAFKA_SSL_CA_FILE}: ${reason}`);
      }
      if (!ca.includes("-----BEGIN CERTIFICATE-----"))
        throw invalid("KAFKA_SSL_CA_FILE", `${env.KAFKA_SSL_CA_FILE}: no PEM certificate in it`);
    }
    security.ssl = {
      rejectUnauthorized: env.KAFKA_SSL_REJECT_UNAUTHORIZED ?? true,
      ...(ca !== undefined ? { ca } : {}),
    };
  } else {
    if (env.KAFKA_SSL_CA_FILE !== undefined)
      throw invalid("KAFKA_SSL_CA_FILE", "only used with KAFKA_SSL=true");
    if (env.KAFKA_SSL_REJECT_UNAUTHORIZED !== undefined)
      throw invalid("KAFKA_SSL_REJECT_UNAUTHORIZED", "only used with KAFKA_SSL=true");
  }
  const { KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: username } = env;
  const password = env.KAFKA_SASL_PASSWORD;
  if (mechanism !== undefined) {
    if (username === undefined)
      throw invalid("KAFKA_SASL_USERNAME", "required when KAFKA_SASL_MECHANISM is set");
    if (password === undefined)
      throw invalid("KAFKA_SASL_PASSWORD", "required when KAFKA_SASL_MECHANISM is set");
    security.sasl = { mechanism, username, password };
  } else if (username !== undefined || password !== undefined) {
    const given = username !== undefined ? "KAFKA_SASL_USERNAME" : "KAFKA_SASL_PASSWORD";
    throw invalid(
      "KAFKA_SASL_MECHANISM",
      `required when ${given} is set (plain, scram-sha-256 or scram-sha-512)`,
    );
  }
  return security;
}
