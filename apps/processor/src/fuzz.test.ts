import {
  DLQ_HEADERS,
  decodeGpsFix,
  EVENT_TIME_RANGE,
  type Geofence,
  type GeofenceGeometry,
  TOPICS,
} from "@fleetstream/contracts";
import { type Database, openDatabase } from "@fleetstream/db";
import { InMemoryEventLog, type OutgoingRecord } from "@fleetstream/eventlog";
import { createLogger } from "@fleetstream/service";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { composeProcessor } from "./compose";

/**
 * Issue 8, "No poison record": random bytes and near-valid GPS fixes (out-of-range numbers,
 * NaN/Infinity as text, odd seq and event times, long and unicode truck ids, duplicate, wrong and
 * missing keys, null and empty values, 10,000-deep JSON, keys and headers that are not UTF-8)
 * through the whole processor: the in-memory event log, decode and classify, every operator,
 * checkpoints in PGlite. Whatever comes in, the processor keeps going, and every record is either
 * applied (in position_fixes) or dead-lettered with a reason. FUZZ_RECORDS and FUZZ_SEED change
 * the run (the seed is fixed by default, so a failure is reproducible; try others with FUZZ_SEED).
 */
const RECORDS = Number(process.env.FUZZ_RECORDS ?? 100_000);
const BATCH = 5_000;
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_201);
const PARTITIONS = 2;

const NOW = Date.now();
const TRUCKS = Array.from({ length: 20 }, (_, i) => `T-${i}`);

/** Raw JSON text for a number field, or text that only looks like a number (NaN, 1e400, 0x10). */
const rawNumber = fc.oneof(
  fc.constantFrom(
    "NaN",
    "-NaN",
    "Infinity",
    "-Infinity",
    '"NaN"',
    '"Infinity"',
    '"-Infinity"',
    "1e400",
    "-1e400",
    "1e-400",
    "-0",
    "0",
    "-0.0",
    "5e-324",
    "1.7976931348623157e308",
    "9007199254740991",
    "9007199254740992",
    "9007199254740993",
    "18446744073709551616",
    "-9223372036854775809",
    "-1",
    "1.5",
    "0.1e1",
    "1E3",
    "0x10",
    "+1",
    ".5",
    "1.",
    "01",
    "１",
    '"52"',
    '""',
    "null",
    "true",
    "false",
    "[]",
    "{}",
    "[52]",
    '{"value":52}',
    "",
  ),
  fc.double().map(String),
  fc.integer().map(String),
  fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map(String),
);

/** Event times of accepted fixes: the last 3 days up to 5 minutes ahead (the processor allows 10). */
const eventTime = fc.integer({ min: NOW - 3 * 86_400_000, max: NOW + 5 * 60_000 }).map(String);

const oddEventTime = fc
  .constantFrom(
    EVENT_TIME_RANGE.min,
    EVENT_TIME_RANGE.min - 1,
    EVENT_TIME_RANGE.max,
    EVENT_TIME_RANGE.max - 1,
    NOW + 11 * 60_000,
    8_640_000_000_000_000,
    8_640_000_000_000_001,
    -8_640_000_000_000_001,
    1_764_000_000, // seconds, not milliseconds
    NOW + 0.5,
  )
  .map(String);

const truckId = fc.constantFrom(...TRUCKS).map((id) => JSON.stringify(id));

const oddTruckId = fc.oneof(
  fc
    .oneof(
      fc.constantFrom("", "x".repeat(64), "x".repeat(65), "x".repeat(10_240), "T 1", "T-1\u0000"),
      fc.string({ unit: "grapheme", maxLength: 20 }),
      fc.string({ unit: "binary", maxLength: 20 }),
      fc.string({ unit: "grapheme", minLength: 2_000, maxLength: 3_000 }),
    )
    .map((id) => JSON.stringify(id)),
  // Escapes JSON.stringify would not write: lone surrogates, NUL.
  fc.constantFrom('"T\\ud800"', '"\\udc00T"', '"T\\u0000"', '"T-1\\t"'),
);

/** Any odd raw value, for any field. */
const odd = fc.oneof(rawNumber, oddEventTime, oddTruckId);

const FIELDS = ["truckId", "seq", "lat", "lon", "speedKmh", "headingDeg", "eventTime"] as const;
const WRONG_KEYS = [
  "truck_id",
  "TruckId",
  "truckID",
  "speed",
  "extra",
  "v",
  "accuracyM",
  "__proto__",
  "constructor",
  "toString",
  "",
  "\u0000",
  "lat ",
];

type Pair = [key: string, raw: string];

/** A valid fix as key/raw-value pairs, in the documented order. */
const validPairs: fc.Arbitrary<Pair[]> = fc
  .tuple(
    truckId,
    fc.oneof(fc.nat(1_000_000), fc.constant(Number.MAX_SAFE_INTEGER)).map(String),
    fc.oneof(
      fc.double({ min: -90, max: 90, noNaN: true }).map(String),
      fc.constantFrom("90", "-90", "-0", "0", "5e-324", "52.000000000000001"),
    ),
    fc.oneof(
      fc.double({ min: -180, max: 180, noNaN: true }).map(String),
      fc.constantFrom("180", "-180", "-0", "179.99999999999997", "-179.99999999999997"),
    ),
    fc.double({ min: 0, max: 400, noNaN: true }).map(String),
    fc.double({ min: 0, max: 359.99, noNaN: true }).map(String),
    eventTime,
  )
  .map((raws) => raws.map((raw, i): Pair => [FIELDS[i] as string, raw]));

const change = fc.oneof(
  fc.record({ op: fc.constant("set" as const), at: fc.nat(), raw: odd }),
  fc.record({ op: fc.constant("drop" as const), at: fc.nat() }),
  fc.record({
    op: fc.constant("rename" as const),
    at: fc.nat(),
    to: fc.constantFrom(...WRONG_KEYS),
  }),
  // Duplicate or extra keys, before or after the others (JSON.parse keeps the last).
  fc.record({
    op: fc.constant("add" as const),
    first: fc.boolean(),
    key: fc.constantFrom(...WRONG_KEYS, ...FIELDS),
    raw: fc.oneof(odd, eventTime, truckId),
  }),
  fc.record({ op: fc.constant("null" as const), at: fc.nat() }),
  fc.record({ op: fc.constant("empty" as const), at: fc.nat() }),
);

/** A valid fix (about a third), or one changed a little: a near miss. */
const nearValid: fc.Arbitrary<Pair[]> = fc
  .tuple(
    validPairs,
    fc.oneof(
      { weight: 1, arbitrary: fc.constant([]) },
      { weight: 2, arbitrary: fc.array(change, { minLength: 1, maxLength: 3 }) },
    ),
  )
  .map(([pairs, changes]) => {
    for (const change of changes) {
      const at = "at" in change ? change.at % Math.max(1, pairs.length) : 0;
      const pair = pairs[at];
      if (change.op === "add") {
        if (change.first) pairs.unshift([change.key, change.raw]);
        else pairs.push([change.key, change.raw]);
      } else if (!pair) {
      } else if (change.op === "drop") pairs.splice(at, 1);
      else if (change.op === "set") pair[1] = change.raw;
      else if (change.op === "rename") pair[0] = change.to;
      else if (change.op === "null") pair[1] = "null";
      else pair[1] = '""';
    }
    return pairs;
  });

const objectText = (pairs: readonly Pair[]) =>
  `{${pairs.map(([k, raw]) => `${JSON.stringify(k)}:${raw}`).join(",")}}`;

/** The record key a producer would use: the truck id it read, or something else now and then. */
function keyFor(pairs: readonly Pair[], pick: number): string | null {
  if (pick % 23 === 0) return null;
  if (pick % 29 === 0) return "";
  if (pick % 31 === 0) return "T-other";
  if (pick % 37 === 0) return "T-1\u0000";
  const raw = pairs.findLast(([k]) => k === "truckId")?.[1];
  try {
    const id: unknown = raw === undefined ? undefined : JSON.parse(raw);
    return typeof id === "string" ? id : String(id);
  } catch {
    return raw ?? null;
  }
}

const DEPTH = 10_000;
const deep = (open: string, close: string) => open.repeat(DEPTH) + close.repeat(DEPTH);

/** Records that are not near a fix at all: random bytes, empties, deep nesting. */
const notAFix: fc.Arbitrary<OutgoingRecord> = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((bytes) => ({ key: "T-1", value: Buffer.from(bytes) })),
  fc
    .tuple(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 64 }))
    .map(([key, bytes]) => ({
      key: Buffer.from(key), // any bytes, UTF-8 or not
      value: Buffer.from(bytes),
    })),
  fc.constantFrom<OutgoingRecord>(
    { key: "T-1", value: null },
    { key: null, value: null },
    { key: "T-1", value: "" },
    { key: "T-1", value: " " },
    { key: "T-1", value: "null" },
    { key: "T-1", value: "{}" },
    { key: "T-1", value: "[]" },
    { key: "T-1", value: '""' },
    { key: "T-1", value: "0" },
    { key: "T-1", value: "\uFEFF{}" },
    { key: "T-1", value: deep("[", "]") },
    { key: "T-1", value: `${'{"a":'.repeat(DEPTH)}1${"}".repeat(DEPTH)}` },
    { key: "T-1", value: `{"truckId":${deep("[", "]")}}` },
    { key: "T-1", value: `{"truckId":"T-1","extra":${deep("[", "]")}}` },
    { key: "T-1", value: deep("[", "") },
  ),
);

/** Headers some producers add: mostly none, else any text (NUL, lone surrogates) or bytes. */
const headers = fc.oneof(
  { weight: 19, arbitrary: fc.constant(undefined) },
  {
    weight: 1,
    arbitrary: fc.dictionary(
      fc.constantFrom("trace", "", "\u0000", "dlq.reason"),
      fc.oneof(
        fc.string({ unit: "binary", maxLength: 20 }),
        fc.uint8Array({ maxLength: 20 }).map((bytes): string | Buffer => Buffer.from(bytes)),
      ),
      { minKeys: 1, maxKeys: 2 },
    ),
  },
);

const record: fc.Arbitrary<OutgoingRecord> = fc
  .tuple(
    fc.oneof(
      { weight: 3, arbitrary: notAFix },
      {
        weight: 7,
        arbitrary: fc.tuple(nearValid, fc.nat()).map(([pairs, pick]) => ({
          key: keyFor(pairs, pick),
          value: objectText(pairs),
        })),
      },
    ),
    headers,
  )
  .map(([record, headers]) => (headers ? { ...record, headers } : record));

/**
 * Always in the input, first: records the random ones rarely hit, and what the fuzz found.
 * A value near Kafka's record limit has a dead-letter copy too large for the topic: it is kept
 * in PostgreSQL (dead_letters), where text cannot hold NUL and JSON no lone surrogate.
 */
const NEAR_LIMIT = 990_000;
const EDGE_CASES: OutgoingRecord[] = [
  {
    key: "T-1\u0000",
    value: Buffer.alloc(NEAR_LIMIT, 0xff),
    headers: { "t\u0000": "\ud800\u0000" },
  },
  {
    key: "T-1",
    value: `{"truckId":"T-1","\u0000":"${"x".repeat(NEAR_LIMIT)}"}`,
    headers: { trace: "\udc00" },
  },
  { key: "\ud800", value: "x".repeat(NEAR_LIMIT) },
];

/** Geofences at the edges of the map, so the alerter sees every fix near one. */
async function sendGeofences(eventLog: InMemoryEventLog): Promise<void> {
  const geometries: GeofenceGeometry[] = [
    { type: "Circle", center: [180, 90], radiusM: 500_000 },
    { type: "Circle", center: [0, 0], radiusM: 1_000 },
    {
      type: "Polygon",
      coordinates: [
        [
          [-180, -90],
          [180, -90],
          [180, 90],
          [-180, 90],
          [-180, -90],
        ],
      ],
    },
    {
      type: "MultiPolygon",
      coordinates: [
        [
          [
            [170, -10],
            [-170, -10],
            [-170, 10],
            [170, 10],
            [170, -10],
          ],
        ],
      ],
    },
    {
      type: "Polygon",
      coordinates: [
        [
          [0, 0],
          [0, 0],
          [0, 0],
          [0, 0],
        ],
      ],
    },
    {
      type: "Corridor",
      coordinates: [
        [-180, 0],
        [180, 0],
      ],
      bufferM: 50_000,
    },
  ];
  const fences = geometries.map(
    (geometry, i): Geofence => ({
      id: `g${i}`,
      version: 1,
      name: `g${i}`,
      tags: [],
      enabled: true,
      geometry,
      speedLimitKmh: 50,
      dwellSeconds: 60,
      debounce: { fixes: i % 2, seconds: 0 },
      createdAt: NOW - 4 * 86_400_000,
      updatedAt: NOW - 4 * 86_400_000,
    }),
  );
  await eventLog.ensureTopics([TOPICS.geofences]);
  await eventLog.producer().send(
    TOPICS.geofences.name,
    fences.map((f) => ({ key: f.id, value: JSON.stringify(f) })),
  );
}

/** The input: the edge cases first, then `count` random records (the same for a given seed). */
const fuzzInput = (count: number): OutgoingRecord[] => [
  ...EDGE_CASES,
  ...fc.sample(record, { numRuns: count - EDGE_CASES.length, seed: SEED }),
];

const silent = () => createLogger("processor-fuzz", (process.env.FUZZ_LOG ?? "silent") as "silent");

/** A key as the consumer reads it: text (bytes that are not UTF-8 become U+FFFD). */
const textOf = (key: string | Buffer | null): string | null =>
  key === null || typeof key === "string" ? key : key.toString("utf8");

describe("no poison record: fuzzed input through the whole processor, into PGlite", () => {
  let db: Database;
  let eventLog: InMemoryEventLog;

  beforeEach(async () => {
    db = await openDatabase({ url: "pglite://memory" });
    await db.migrate();
    // The embedded log, as createEventLog({}) makes it without brokers; read() lists the DLQ.
    eventLog = new InMemoryEventLog();
  });
  afterEach(async () => {
    await eventLog.close();
    await db.close();
  });

  it(`applies or dead-letters each of ${RECORDS} fuzzed records, then still moves a truck`, async () => {
    const onFatal = vi.fn();
    const processor = composeProcessor({
      env: { GPS_TOPIC_PARTITIONS: PARTITIONS, PROCESSOR_GROUP_ID: "fuzz" },
      eventLog,
      db,
      logger: silent(),
      onFatal,
    });
    await sendGeofences(eventLog);
    await processor.start();

    const input = fuzzInput(RECORDS);
    const producer = eventLog.producer();
    const sent = [];
    for (let i = 0; i < input.length; i += BATCH)
      sent.push(...(await producer.send(TOPICS.gpsFixes.name, input.slice(i, i + BATCH))));

    await vi.waitFor(
      () => {
        expect(onFatal).not.toHaveBeenCalled();
        expect(processor.stats().checkpointed).toBe(RECORDS);
      },
      { timeout: 150_000, interval: 100 },
    );
    const stats = processor.stats();
    expect(stats.consumed).toBe(RECORDS);
    expect(stats.applied + stats.deadLettered).toBe(RECORDS);

    // Every dead letter names its source record and why; no record is dead-lettered twice.
    const reasons = new Map<string, string>();
    let references = 0;
    for (const { partition, high } of await eventLog.offsets(TOPICS.gpsDeadLetter.name)) {
      for (const dead of eventLog.read(TOPICS.gpsDeadLetter.name, partition, 0, high)) {
        const source = `${dead.headers[DLQ_HEADERS.sourcePartition]}:${dead.headers[DLQ_HEADERS.sourceOffset]}`;
        expect(dead.headers[DLQ_HEADERS.sourceTopic]).toBe(TOPICS.gpsFixes.name);
        expect(dead.headers[DLQ_HEADERS.reason]).toMatch(/\S/);
        expect(reasons.has(source), `dead-lettered twice: ${source}`).toBe(false);
        reasons.set(source, dead.headers[DLQ_HEADERS.reason] as string);
        if (dead.headers[DLQ_HEADERS.storedIn] !== undefined) references++;
      }
    }
    expect(reasons.size).toBe(stats.deadLettered);
    // Those too large for a copy on the topic are kept in PostgreSQL (EDGE_CASES at least).
    expect(await db.prisma.deadLetter.count()).toBe(references);
    expect(references).toBeGreaterThanOrEqual(EDGE_CASES.length);

    // Every other record is a valid fix of its key's truck, stored once in position_fixes
    // (a repeated truck, event time and seq is one row).
    const stored = new Set<string>();
    sent.forEach(({ partition, offset }, i) => {
      if (reasons.has(`${partition}:${offset}`)) return;
      const { key, value } = input[i] as OutgoingRecord;
      const decoded = decodeGpsFix(value);
      expect(decoded.ok && decoded.value.truckId === textOf(key), `applied: ${value}`).toBe(true);
      if (decoded.ok) stored.add(`${key} ${decoded.value.eventTime} ${decoded.value.seq}`);
    });
    expect(RECORDS - reasons.size).toBe(stats.applied);
    expect(await db.prisma.positionFix.count()).toBe(stored.size);

    // And the processor still works: a normal fix moves its truck.
    expect(await db.prisma.truck.findUnique({ where: { id: "T-1" } })).not.toBeNull();
    const next = { truckId: "T-1", seq: 2_000_000, lat: 12.5, lon: -7.25, speedKmh: 30 };
    await producer.send(TOPICS.gpsFixes.name, [
      {
        key: "T-1",
        value: JSON.stringify({ ...next, headingDeg: 180, eventTime: Date.now() + 8 * 60_000 }),
      },
    ]);
    await vi.waitFor(
      async () => {
        const truck = await db.prisma.truck.findUnique({ where: { id: "T-1" } });
        expect(truck).toMatchObject({ lat: 12.5, lon: -7.25, seq: 2_000_000n });
      },
      { timeout: 30_000, interval: 100 },
    );
    expect(onFatal).not.toHaveBeenCalled();
    await processor.stop();
  }, 240_000);
});
