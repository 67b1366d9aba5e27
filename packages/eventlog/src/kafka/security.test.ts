import { describe, expect, it } from "vitest";
import { kafkaSecurityConfig } from "./security";

const CA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

describe("kafkaSecurityConfig", () => {
  it("sets neither ssl nor sasl for plaintext", () => {
    expect(kafkaSecurityConfig()).toEqual({});
    expect(kafkaSecurityConfig({})).toEqual({});
  });

  it("passes TLS options to Node's tls.connect", () => {
    expect(kafkaSecurityConfig({ ssl: { rejectUnauthorized: true } })).toEqual({
      ssl: { rejectUnauthorized: true },
    });
    expect(kafkaSecurityConfig({ ssl: { rejectUnauthorized: false, ca: CA } })).toEqual({
      ssl: { rejectUnauthorized: false, ca: CA },
    });
  });

  it.each(["plain", "scram-sha-256", "scram-sha-512"] as const)(
    "passes SASL %s credentials",
    (mechanism) => {
      expect(
        kafkaSecurityConfig({ sasl: { mechanism, username: "fleet", password: "s3cret" } }),
      ).toEqual({ sasl: { mechanism, username: "fleet", password: "s3cret" } });
    },
  );

  it("combines both for SASL_SSL", () => {
    expect(
      kafkaSecurityConfig({
        ssl: { rejectUnauthorized: true, ca: CA },
        sasl: { mechanism: "scram-sha-512", username: "fleet", password: "s3cret" },
      }),
    ).toEqual({
      ssl: { rejectUnauthorized: true, ca: CA },
      sasl: { mechanism: "scram-sha-512", username: "fleet", password: "s3cret" },
    });
  });
});
