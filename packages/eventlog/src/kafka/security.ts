import type { KafkaSecurity } from "@fleetstream/service";
import type { KafkaConfig } from "kafkajs";

/** kafkajs's `ssl` and `sasl` client options for the security settings; `{}` for plaintext. */
export function kafkaSecurityConfig(
  security: KafkaSecurity = {},
): Pick<KafkaConfig, "ssl" | "sasl"> {
  const config: Pick<KafkaConfig, "ssl" | "sasl"> = {};
  if (security.ssl) {
    const { ca, rejectUnauthorized } = security.ssl;
    config.ssl = { rejectUnauthorized, ...(ca !== undefined ? { ca } : {}) };
  }
  if (security.sasl) {
    const { mechanism, username, password } = security.sasl;
    // One branch per mechanism: kafkajs's SASLOptions is a union keyed by the literal.
    config.sasl =
      mechanism === "plain"
        ? { mechanism, username, password }
        : mechanism === "scram-sha-256"
          ? { mechanism, username, password }
          : { mechanism, username, password };
  }
  return config;
}
