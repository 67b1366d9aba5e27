import { DEFAULT_GPS_PARTITIONS } from "@fleetstream/contracts";
import { brokersVar, logLevelVar, parseEnv } from "@fleetstream/service";
import { z } from "zod";

/** The processor's configuration, read once at boot (README "Configuration"). */
export const ProcessorEnv = z.object({
  KAFKA_BROKERS: brokersVar,
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL"),
  GPS_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(1000).default(DEFAULT_GPS_PARTITIONS),
  PROCESSOR_GROUP_ID: z.string().min(1).default("fleetstream-processor"),
  LOG_LEVEL: logLevelVar,
});
export type ProcessorEnv = z.infer<typeof ProcessorEnv>;

export const readProcessorEnv = (source: NodeJS.ProcessEnv = process.env) =>
  parseEnv(ProcessorEnv, source);
