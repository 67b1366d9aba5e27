import { createRequire } from "node:module";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fastRecord, kafkajsRecord, kafkajsRecordEncodingPatched } from "./record-encoding";
import { recordArgs } from "./test-records";

const bytesOf = (encoder: unknown): Buffer => (encoder as { buffer: Buffer }).buffer;

describe("kafkajs record encoding", () => {
  it("is ours in kafkajs's produce request", () => {
    expect(kafkajsRecordEncodingPatched).toBe(true);
    const require = createRequire(import.meta.url);
    expect(require("kafkajs/src/protocol/recordBatch/record/v0/index.js")).toBe(fastRecord);
  });

  it("writes the same bytes as kafkajs's own encoder, whatever the record", () => {
    fc.assert(
      fc.property(recordArgs, (args) => {
        expect(bytesOf(fastRecord(args))).toEqual(bytesOf(kafkajsRecord(args)));
      }),
      { numRuns: 2_000 },
    );
  });

  it("leaves what it does not expect to kafkajs", () => {
    const args = { offsetDelta: 1, timestampDelta: 2.5, key: "k", value: "v" };
    expect(() => fastRecord(args)).toThrow(/cannot be converted to a BigInt/);
    expect(() => kafkajsRecord(args)).toThrow(/cannot be converted to a BigInt/);
  });
});
