import { createRequire } from "node:module";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { crc32C, kafkajsCrc32C, kafkajsCrc32CPatched } from "./crc32c";

describe("the record batches' CRC32C", () => {
  it("is ours in kafkajs's record batch encoder", () => {
    expect(kafkajsCrc32CPatched).toBe(true);
    const require = createRequire(import.meta.url);
    expect(require("kafkajs/src/protocol/recordBatch/crc32C/index.js")).toBe(crc32C);
  });

  it("equals kafkajs's own on any bytes", () => {
    // CRC-32C's published check value: the CRC of the bytes of "123456789".
    expect(crc32C(Buffer.from("123456789"))).toBe(0xe3069283);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5_000 }), (bytes) => {
        const buffer = Buffer.from(bytes);
        expect(crc32C(buffer)).toBe(kafkajsCrc32C(buffer));
      }),
      { numRuns: 1_000 },
    );
  });
});
