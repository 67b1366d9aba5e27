import { brokersVar, kafkaSecurityVars, parseEnv } from "@fleetstream/service";
import { z } from "zod";

/** The simulator's environment, parsed once at start (process.env is read nowhere else). */
export const EnvSchema = z.object({
  /** Default for --brokers: comma-separated host:port list. */
  KAFKA_BROKERS: brokersVar.optional(),
  /** KAFKA_SSL*, KAFKA_SASL_*: TLS and SASL for whichever brokers the records go to. */
  ...kafkaSecurityVars,
});

export type Env = z.infer<typeof EnvSchema>;

export const loadEnv = (source: NodeJS.ProcessEnv = process.env): Env =>
  parseEnv(EnvSchema, source);
