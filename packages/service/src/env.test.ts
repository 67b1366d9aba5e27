import { describe, expect, it } from "vitest";
import { z } from "zod";
import { brokersVar, ConfigError, parseEnv, portVar } from "./env";

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
