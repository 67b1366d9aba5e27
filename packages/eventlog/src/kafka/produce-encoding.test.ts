import { createRequire } from "node:module";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  kafkajsProduceEncodingPatched,
  kafkajsProduceRequest,
  type ProduceArgs,
  produceRequest,
} from "./produce-encoding";

const require = createRequire(import.meta.url);
const Long = require("kafkajs/src/utils/long.js") as { fromValue(v: unknown): unknown };
const bytesOf = async (request: { encode(): Promise<unknown> }): Promise<Buffer> =>
  ((await request.encode()) as { buffer: Buffer }).buffer;

const text = fc.string({ unit: "grapheme", maxLength: 100 });
const present = fc.oneof(
  text,
  fc.uint8Array({ maxLength: 100 }).map((a) => Buffer.from(a)),
);
// Epoch ms as the event log sends them (text), around now and across a digit boundary.
const timestamp = fc.oneof(
  fc.integer({ min: 1_700_000_000_000, max: 1_800_000_000_000 }).map(String),
  fc.integer({ min: 1, max: 2_000_000 }).map(String),
  fc.integer({ min: 1, max: 2 ** 45 }),
);
const message = fc.record({
  key: fc.oneof(fc.constant(null), present),
  value: fc.oneof(fc.constant(null), present),
  headers: fc.option(fc.dictionary(text, present, { maxKeys: 3 }), { nil: undefined }),
  timestamp,
});
const args = fc.record({
  acks: fc.constantFrom(-1, 0, 1),
  timeout: fc.integer({ min: 0, max: 60_000 }),
  transactionalId: fc.option(text, { nil: undefined }),
  producerId: fc.option(
    fc.integer({ min: -1, max: 2 ** 40 }).map((id) => Long.fromValue(id)),
    { nil: undefined },
  ),
  producerEpoch: fc.option(fc.integer({ min: 0, max: 32_767 }), { nil: undefined }),
  topicData: fc.array(
    fc.record({
      topic: text,
      partitions: fc.array(
        fc.record({
          partition: fc.integer({ min: 0, max: 1_000 }),
          firstSequence: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
          messages: fc.array(message, { minLength: 1, maxLength: 12 }),
        }),
        { minLength: 1, maxLength: 4 },
      ),
    }),
    { maxLength: 3 },
  ),
}) as fc.Arbitrary<ProduceArgs>;

describe("kafkajs produce request encoding", () => {
  it("is ours in kafkajs's producer (v4 to v7 wrap v3)", () => {
    expect(kafkajsProduceEncodingPatched).toBe(true);
    expect(require("kafkajs/src/protocol/requests/produce/v3/request.js")).toBe(produceRequest);
  });

  it("writes the same bytes as kafkajs's own request, whatever the records", async () => {
    await fc.assert(
      fc.asyncProperty(args, async (a) => {
        const ours = await bytesOf(produceRequest(a));
        expect(ours.equals(await bytesOf(kafkajsProduceRequest(a)))).toBe(true);
      }),
      { numRuns: 1_000 },
    );
  });

  it("leaves a message without a timestamp to kafkajs, which stamps it when it encodes", async () => {
    const request = produceRequest({
      acks: -1,
      timeout: 30_000,
      topicData: [{ topic: "t", partitions: [{ partition: 0, messages: [{ value: "v" }] }] }],
    });
    const before = Date.now();
    const bytes = await bytesOf(request);
    // The batch's first timestamp: after the request's transactional id, acks, timeout and
    // topic count, the topic's name and partition count, the partition and its record set's
    // size, and the batch's offset, length, leader epoch, magic, crc, attributes and last delta.
    const at = 2 + 2 + 4 + 4 + (2 + 1) + 4 + 4 + 4 + 8 + 4 + 4 + 1 + 4 + 2 + 4;
    expect(Number(bytes.readBigInt64BE(at))).toBeGreaterThanOrEqual(before);
  });
});
