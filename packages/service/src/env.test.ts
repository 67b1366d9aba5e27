import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  brokersVar,
  ConfigError,
  kafkaSecurity,
  kafkaSecurityVars,
  parseEnv,
  portVar,
} from "./env";

const schema = z.object({ KAFKA_BROKERS: brokersVar.optional(), PORT: portVar(3000) });

describe("parseEnv", () => {
  it("applies defaults and treats empty strings as unset", () => {
    expect(parseEnv(schema, { PORT: "", KAFKA_BROKERS: "" })).toEqual({ PORT: 3000 });
  });

  it("splits the broker list", () => {
    expect(parseEnv(schema, { KAFKA_BROKERS: "a:9092, b:9093" }).KAFKA_BROKERS).toEqual([
      "a:9092",
      "b:9093",
    ]);
  });

  it("fails with one line naming the variable", () => {
    expect(() => parseEnv(schema, { KAFKA_BROKERS: "localhost" })).toThrow(ConfigError);
    expect(() => parseEnv(schema, { PORT: "http" })).toThrow(/^invalid configuration: PORT: /);
  });
});

describe("kafkaSecurity", () => {
  const securitySchema = z.object(kafkaSecurityVars);
  const CA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "kafka-security-"));
    writeFileSync(join(dir, "ca.pem"), CA);
    writeFileSync(join(dir, "not-pem.txt"), "hello");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const security = (source: NodeJS.ProcessEnv) => kafkaSecurity(parseEnv(securitySchema, source));

  it("is plaintext without authentication when nothing is set", () => {
    expect(security({})).toEqual({});
    expect(security({ KAFKA_SSL: "false", KAFKA_SASL_MECHANISM: "" })).toEqual({});
  });

  it("turns on TLS, verifying certificates against the default CAs", () => {
    expect(security({ KAFKA_SSL: "true" })).toEqual({ ssl: { rejectUnauthorized: true } });
    expect(security({ KAFKA_SSL: "true", KAFKA_SSL_REJECT_UNAUTHORIZED: "false" })).toEqual({
      ssl: { rejectUnauthorized: false },
    });
  });

  it("reads the CA file at start", () => {
    expect(security({ KAFKA_SSL: "true", KAFKA_SSL_CA_FILE: join(dir, "ca.pem") })).toEqual({
      ssl: { rejectUnauthorized: true, ca: CA },
    });
  });

  it("takes SASL with or without TLS, the mechanism in either case", () => {
    const sasl = { KAFKA_SASL_USERNAME: "fleet", KAFKA_SASL_PASSWORD: "s3cret" };
    expect(security({ ...sasl, KAFKA_SASL_MECHANISM: "plain" })).toEqual({
      sasl: { mechanism: "plain", username: "fleet", password: "s3cret" },
    });
    expect(security({ ...sasl, KAFKA_SSL: "true", KAFKA_SASL_MECHANISM: "SCRAM-SHA-512" })).toEqual(
      {
        ssl: { rejectUnauthorized: true },
        sasl: { mechanism: "scram-sha-512", username: "fleet", password: "s3cret" },
      },
    );
    expect(security({ ...sasl, KAFKA_SASL_MECHANISM: "scram-sha-256" }).sasl?.mechanism).toBe(
      "scram-sha-256",
    );
  });

  it.each([
    [{ KAFKA_SSL: "yes" }, /^invalid configuration: KAFKA_SSL: must be true or false$/],
    [
      { KAFKA_SSL: "true", KAFKA_SSL_REJECT_UNAUTHORIZED: "0" },
      /^invalid configuration: KAFKA_SSL_REJECT_UNAUTHORIZED: must be true or false$/,
    ],
    [
      { KAFKA_SASL_MECHANISM: "gssapi", KAFKA_SASL_USERNAME: "u", KAFKA_SASL_PASSWORD: "p" },
      /^invalid configuration: KAFKA_SASL_MECHANISM: one of plain, scram-sha-256, scram-sha-512$/,
    ],
    [
      { KAFKA_SSL: "true", KAFKA_SSL_CA_FILE: "/nonexistent/ca.pem" },
      /^invalid configuration: KAFKA_SSL_CA_FILE: \/nonexistent\/ca\.pem: no such file$/,
    ],
    [
      { KAFKA_SSL_CA_FILE: "/etc/ssl/ca.pem" },
      /^invalid configuration: KAFKA_SSL_CA_FILE: only used with KAFKA_SSL=true$/,
    ],
    [
      { KAFKA_SSL_REJECT_UNAUTHORIZED: "false" },
      /^invalid configuration: KAFKA_SSL_REJECT_UNAUTHORIZED: only used with KAFKA_SSL=true$/,
    ],
    [
      { KAFKA_SASL_MECHANISM: "plain", KAFKA_SASL_PASSWORD: "p" },
      /^invalid configuration: KAFKA_SASL_USERNAME: required when KAFKA_SASL_MECHANISM is set$/,
    ],
    [
      { KAFKA_SASL_MECHANISM: "plain", KAFKA_SASL_USERNAME: "u", KAFKA_SASL_PASSWORD: "" },
      /^invalid configuration: KAFKA_SASL_PASSWORD: required when KAFKA_SASL_MECHANISM is set$/,
    ],
    [
      { KAFKA_SASL_USERNAME: "u" },
      /^invalid configuration: KAFKA_SASL_MECHANISM: required when KAFKA_SASL_USERNAME is set/,
    ],
    [
      { KAFKA_SASL_PASSWORD: "p" },
      /^invalid configuration: KAFKA_SASL_MECHANISM: required when KAFKA_SASL_PASSWORD is set/,
    ],
  ])("fails with one line naming the variable: %o", (source, message) => {
    let error: unknown;
    try {
      security(source);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain("\n");
  });

  it("refuses a CA file it cannot read or that holds no PEM certificate", () => {
    const unreadable = () => {
      throw Object.assign(new Error("EACCES: permission denied"), { code: "EACCES" });
    };
    expect(() =>
      kafkaSecurity(
        parseEnv(securitySchema, { KAFKA_SSL: "true", KAFKA_SSL_CA_FILE: "/ca.pem" }),
        unreadable,
      ),
    ).toThrow(/^invalid configuration: KAFKA_SSL_CA_FILE: \/ca\.pem: cannot read it \(EACCES\)$/);
    expect(() => security({ KAFKA_SSL: "true", KAFKA_SSL_CA_FILE: dir })).toThrow(
      /^invalid configuration: KAFKA_SSL_CA_FILE: .*: cannot read it \(EISDIR\)$/,
    );
    expect(() =>
      security({ KAFKA_SSL: "true", KAFKA_SSL_CA_FILE: join(dir, "not-pem.txt") }),
    ).toThrow(
      /^invalid configuration: KAFKA_SSL_CA_FILE: .*not-pem\.txt: no PEM certificate in it$/,
    );
  });

  it("never puts the password in an error", () => {
    const password = "hunter2-very-secret";
    for (const source of [
      { KAFKA_SASL_PASSWORD: password },
      { KAFKA_SASL_MECHANISM: "oauthbearer", KAFKA_SASL_PASSWORD: password },
      { KAFKA_SASL_MECHANISM: "plain", KAFKA_SASL_PASSWORD: password },
    ]) {
      expect(() => security(source)).toThrow(ConfigError);
      try {
        security(source);
      } catch (error) {
        expect(String(error)).not.toContain(password);
      }
    }
  });
});
