import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import type { Emission } from "../domain/faults";
import { NO_FAULTS } from "../domain/faults";
import { arraySource, createEventStream } from "../domain/stream";
import { type Clock, Runner } from "./runner";
import { MemorySink, NdjsonSink, OutputClosedError } from "./sink";

/** A clock that only moves when the runner sleeps. */
function fakeClock(): Clock & { sleeps: number[] } {
  let now = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

const records = (times: number[]): Emission[] =>
  times.map((t, i) => ({ key: `k${i % 3}`, value: `{"i":${i}}`, emitAt: t }));

describe("Runner", () => {
  it("paces records by simulated time divided by the speedup", async () => {
    const clock = fakeClock();
    const sink = new MemorySink();
    const source = arraySource(records([1_000, 1_000, 11_000, 31_000]));
    const runner = new Runner({
      source,
      sink,
      clock,
      pacing: { kind: "realtime", speedup: 10, startTime: 1_000 },
    });
    expect(await runner.run()).toEqual({ reason: "completed" });
    expect(sink.records).toHaveLength(4);
    // 30 s of simulated time at 10x: 3 s of (fake) wall time.
    expect(clock.now()).toBeGreaterThanOrEqual(3_000);
    expect(clock.now()).toBeLessThan(3_300);
  });

  it("sends at the requested rate in load mode, whatever the simulated time", async () => {
    const clock = fakeClock();
    const sink = new MemorySink();
    const stream = createEventStream({
      trucks: 5,
      intervalMs: 20_000,
      startTime: 0,
      seed: 1,
      gpsNoiseM: 0,
      maxFixes: 5_000,
    });
    const runner = new Runner({
      source: stream,
      sink,
      clock,
      pacing: { kind: "rate", perSecond: 1_000 },
    });
    await runner.run();
    expect(sink.records).toHaveLength(5_000);
    expect(clock.now()).toBeGreaterThanOrEqual(4_990);
    expect(clock.now()).toBeLessThan(5_300);
  });

  it("at a high rate sends in ticks of a few hundred records, not one Kafka request per ms", async () => {
    const clock = fakeClock();
    const writes: number[] = [];
    const sink = new (class extends MemorySink {
      override async write(batch: readonly Emission[]): Promise<void> {
        writes.push(batch.length);
        await super.write(batch);
      }
    })();
    const stream = createEventStream({
      trucks: 500,
      intervalMs: 20_000,
      startTime: 0,
      seed: 2,
      gpsNoiseM: 0,
      maxFixes: 20_000,
    });
    const runner = new Runner({
      source: stream,
      sink,
      clock,
      pacing: { kind: "rate", perSecond: 10_000 },
    });
    await runner.run();
    expect(sink.records).toHaveLength(20_000);
    // The rate holds: 2 s of (fake) wall time...
    expect(clock.now()).toBeGreaterThanOrEqual(1_990);
    expect(clock.now()).toBeLessThan(2_100);
    // ...in ~100 writes of ~200 records (20 ms ticks), where 1 ms sleeps made ~2,000 of 10.
    expect(writes.length).toBeLessThanOrEqual(110);
    expect(Math.min(...writes.slice(1, -1))).toBeGreaterThanOrEqual(150);
  });

  it("stops on request, sends what was held back, and reports it", async () => {
    const clock = fakeClock();
    const sink = new MemorySink();
    const stream = createEventStream({
      trucks: 20,
      intervalMs: 20_000,
      startTime: 0,
      seed: 3,
      gpsNoiseM: 0,
      faults: { ...NO_FAULTS, lateRate: 0.2 },
    });
    const runner = new Runner({
      source: stream,
      sink,
      clock,
      pacing: { kind: "realtime", speedup: 100, startTime: 0 },
    });
    const done = runner.run();
    while (sink.records.length < 200) await new Promise((resolve) => setImmediate(resolve));
    runner.stop();
    expect((await done).reason).toBe("stopped");
    const counts = stream.faults?.counts;
    // Nothing is left behind: every generated fix went out (late ones included).
    expect(sink.records.length).toBe(stream.generated);
    expect(counts?.late).toBeGreaterThan(0);
  });

  it("ends at the wall-clock duration in load mode", async () => {
    const clock = fakeClock();
    const sink = new MemorySink();
    const stream = createEventStream({
      trucks: 5,
      intervalMs: 20_000,
      startTime: 0,
      seed: 1,
      gpsNoiseM: 0,
    });
    const runner = new Runner({
      source: stream,
      sink,
      clock,
      durationMs: 2_000,
      pacing: { kind: "rate", perSecond: 500 },
    });
    expect((await runner.run()).reason).toBe("duration");
    expect(sink.records.length).toBeGreaterThanOrEqual(990);
    expect(sink.records.length).toBeLessThanOrEqual(1_010);
  });

  it("reports a failed send as an error outcome", async () => {
    const failing = new MemorySink();
    failing.write = async () => {
      throw new Error("broker said no");
    };
    const runner = new Runner({
      source: arraySource(records([0, 1, 2])),
      sink: failing,
      clock: fakeClock(),
      pacing: { kind: "rate", perSecond: Number.POSITIVE_INFINITY },
    });
    const outcome = await runner.run();
    expect(outcome.reason).toBe("error");
    expect(String(outcome.error)).toContain("broker said no");
  });
});

describe("NdjsonSink", () => {
  it("writes one line per record, null values as null", async () => {
    const out = new PassThrough();
    let text = "";
    out.on("data", (chunk: Buffer) => {
      text += chunk.toString();
    });
    const sink = new NdjsonSink(out);
    await sink.write([
      { key: "a", value: '{"x":1}', emitAt: 0 },
      { key: "a", value: null, emitAt: 0 },
    ]);
    await sink.close();
    expect(text).toBe('{"x":1}\nnull\n');
    expect(sink.acked).toBe(2);
  });

  it("turns a closed pipe into OutputClosedError", async () => {
    const out = new PassThrough();
    const sink = new NdjsonSink(out);
    out.emit("error", Object.assign(new Error("EPIPE"), { code: "EPIPE" }));
    await expect(sink.write([{ key: "a", value: "1", emitAt: 0 }])).rejects.toBeInstanceOf(
      OutputClosedError,
    );
  });
});
