import fc from "fast-check";

/** For this folder's tests: a record's text, or bytes. */
const text = fc.string({ unit: "grapheme", maxLength: 300 });
const present = fc.oneof(
  text,
  fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
);

/**
 * Any record kafkajs's record encoder takes (its arguments): deltas small and large, null or
 * present key and value, headers with repeated names. kafkajs cannot send a null header value
 * (it measures it first): not generated.
 */
export const recordArgs = fc.record({
  offsetDelta: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  timestampDelta: fc.oneof(
    fc.integer({ min: -1_000_000, max: 1_000_000 }),
    fc.integer({ min: -(2 ** 40), max: 2 ** 45 }),
  ),
  key: fc.oneof(fc.constant(null), present),
  value: fc.oneof(fc.constant(null), present),
  headers: fc.option(fc.dictionary(text, fc.oneof(present, fc.array(present, { maxLength: 3 }))), {
    nil: undefined,
  }),
});
