import { DLQ_HEADERS } from "@fleetstream/contracts";
import { describe, expect, it } from "vitest";
import { MAX_RECORD_BYTES, recordBytes } from "./chunks";
import { DLQ_REASON_MAX_CHARS, deadLetterCopy, deadLetterReason } from "./dead-letter";
import { InMemoryEventLog } from "./memory";
import type { ConsumedRecord } from "./types";

const at = new Date("2026-12-01T12:00:00Z");
const consumed = (value: Buffer, headers: Record<string, string> = {}): ConsumedRecord => ({
  topic: "gps",
  partition: 3,
  offset: 41,
  key: "T-1",
  keyBytes: Buffer.from("T-1"),
  value,
  headers,
  headerBytes: Object.fromEntries(
    Object.entries(headers).map(([name, text]) => [name, Buffer.from(text)]),
  ),
  timestamp: 0,
});

describe("dead-letter records", () => {
  it("copy the original key, value and headers when they fit", () => {
    const original = consumed(Buffer.from([0xff, 0xfe, 0x00]), { trace: "abc" });
    const { record, oversized } = deadLetterCopy(original, "not JSON", at, "dead_letters");
    expect(oversized).toBe(false);
    expect(record.key).toEqual(Buffer.from("T-1"));
    expect(record.value).toEqual(Buffer.from([0xff, 0xfe, 0x00]));
    expect(record.headers).toMatchObject({
      trace: Buffer.from("abc"),
      [DLQ_HEADERS.reason]: "not JSON",
      [DLQ_HEADERS.sourceOffset]: "41",
    });
    expect(record.headers?.[DLQ_HEADERS.storedIn]).toBeUndefined();
  });

  it("become a reference that fits when the copy would not (value just under the record limit, long reason)", () => {
    const original = consumed(Buffer.alloc(MAX_RECORD_BYTES - 100, 0x61));
    const reason = `unrecognized keys: ${"k,".repeat(50_000)}`;
    const { record, oversized } = deadLetterCopy(original, reason, at, "dead_letters");
    expect(oversized).toBe(true);
    expect(record.value).toBeNull();
    expect(record.key).toEqual(Buffer.from("T-1"));
    expect(record.headers?.[DLQ_HEADERS.storedIn]).toBe("dead_letters");
    expect(record.headers?.[DLQ_HEADERS.sourcePartition]).toBe("3");
    expect(recordBytes(record)).toBeLessThan(4_000);
  });

  it("keep a key and header values that are not UTF-8 byte for byte (the text has U+FFFD)", async () => {
    const log = new InMemoryEventLog();
    await log.ensureTopics([
      { name: "in", partitions: 1, owner: "processor" },
      { name: "dlq", partitions: 1, owner: "processor" },
    ]);
    const key = Buffer.from([0xff, 0xfe, 0x42, 0x41, 0x44]);
    const producer = log.producer();
    const trace = Buffer.from([0x00, 0xc3, 0x28]);
    await producer.send("in", [{ key, value: "{not json", headers: { trace } }]);
    const [original] = log.read("in", 0, 0, 1);
    if (!original) throw new Error("nothing consumed");
    expect(original.key).toBe("\ufffd\ufffdBAD");
    expect(original.keyBytes).toEqual(key);

    const { record } = deadLetterCopy(original, "not JSON", at, "dead_letters");
    await producer.send("dlq", [record]);
    const [copy] = log.read("dlq", 0, 0, 1);
    expect(copy?.keyBytes).toEqual(key);
    expect(copy?.key).toBe(original.key);
    expect(original.headers.trace).toBe("\u0000\ufffd(");
    expect(copy?.headerBytes.trace).toEqual(trace);
    expect(copy?.headers[DLQ_HEADERS.reason]).toBe("not JSON");
    await log.close();
  });

  it("cut reasons longer than the limit and say how much is cut", () => {
    expect(deadLetterReason("short")).toBe("short");
    const cut = deadLetterReason("x".repeat(DLQ_REASON_MAX_CHARS + 250));
    expect(cut).toHaveLength(DLQ_REASON_MAX_CHARS + "… (250 more characters)".length);
    expect(cut.endsWith("… (250 more characters)")).toBe(true);
  });
});
