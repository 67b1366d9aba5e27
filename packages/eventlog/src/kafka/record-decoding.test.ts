import { createRequire } from "node:module";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  fastRecordDecoder,
  kafkajsRecordDecoder,
  kafkajsRecordDecodingPatched,
} from "./record-decoding";
import { kafkajsRecord } from "./record-encoding";
import { recordArgs } from "./test-records";

const require = createRequire(import.meta.url);
const Decoder = require("kafkajs/src/protocol/decoder.js") as new (
  buffer: Buffer,
) => { buffer: Buffer; offset: number; readVarIntBytes(): Buffer };

/** A record as kafkajs writes it, then read as a record batch reads it (length-prefixed). */
const recordReader = (args: Parameters<typeof kafkajsRecord>[0]) => {
  const bytes = (kafkajsRecord(args) as { buffer: Buffer }).buffer;
  return () => new Decoder(new Decoder(bytes).readVarIntBytes());
};

describe("kafkajs record decoding", () => {
  it("is ours in kafkajs's record batch decoder", () => {
    expect(kafkajsRecordDecodingPatched).toBe(true);
    expect(require("kafkajs/src/protocol/recordBatch/record/v0/decoder.js")).toBe(
      fastRecordDecoder,
    );
  });

  it("reads the same record as kafkajs's own decoder, whatever the record and batch", () => {
    fc.assert(
      fc.property(
        recordArgs,
        fc.record({
          // Offsets and timestamps past 2^53 too: those records go through kafkajs.
          firstOffset: fc.oneof(fc.bigInt(0n, 2n ** 40n), fc.bigInt(2n ** 53n, 2n ** 62n)),
          firstTimestamp: fc.oneof(
            fc.bigInt(1_500_000_000_000n, 2_000_000_000_000n),
            fc.constant(-1n),
            fc.bigInt(2n ** 53n, 2n ** 62n),
          ),
          timestampType: fc.constantFrom(0, 1),
          maxTimestamp: fc.bigInt(1_500_000_000_000n, 2_000_000_000_000n),
          isControlBatch: fc.boolean(),
        }),
        (args, batch) => {
          const read = recordReader(args);
          const context = {
            magicByte: 2,
            firstOffset: String(batch.firstOffset),
            firstTimestamp: String(batch.firstTimestamp),
            timestampType: batch.timestampType,
            maxTimestamp: String(batch.maxTimestamp),
            isControlBatch: batch.isControlBatch,
          };
          const ours = read();
          const theirs = read();
          expect(fastRecordDecoder(ours, context)).toEqual(kafkajsRecordDecoder(theirs, context));
          expect(ours.offset).toBe(theirs.offset);
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
