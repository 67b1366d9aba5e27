import { TOPICS } from "@fleetstream/contracts";
import { createEventLog } from "@fleetstream/eventlog";
import { describe, expect, it } from "vitest";
import { createSimulator, planRun } from "./simulator";

describe("createSimulator on the embedded in-memory log", () => {
  it("runs the realtime fleet until stopped and reports what it sent", async () => {
    const log = createEventLog({ clientId: "test", brokers: [] });
    await log.ensureTopics([TOPICS.gpsFixes]);
    const producer = log.producer();
    const simulator = createSimulator({
      producer,
      topic: TOPICS.gpsFixes.name,
      options: { trucks: 5, speedup: 500, seed: 1, faults: { duplicateRate: 0.1 } },
    });
    expect(simulator.summary().stoppedBy).toBe("running");
    await simulator.start();
    const total = async () =>
      (await log.offsets(TOPICS.gpsFixes.name)).reduce((sum, p) => sum + p.high - p.low, 0);
    const deadline = Date.now() + 10_000;
    while ((await total()) < 30 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await simulator.stop();
    const summary = simulator.summary();
    expect(summary).toMatchObject({ stoppedBy: "stopped", trucks: 5, seed: 1, failed: 0 });
    expect(summary.sent).toBeGreaterThanOrEqual(30);
    expect(await total()).toBe(summary.sent);
    expect(summary.sent).toBe(summary.generated + (summary.injected?.duplicates ?? 0));
    expect((await simulator.done).reason).toBe("stopped");
    await log.close();
  });
});

describe("planRun", () => {
  it("limits realtime runs in simulated time and load runs in wall time", () => {
    const realtime = planRun(
      { trucks: 2, intervalMs: 20_000, speedup: 10, gpsNoiseM: 0, durationMs: 60_000 },
      0,
    );
    expect(realtime.pacing).toEqual({ kind: "realtime", speedup: 10, startTime: 0 });
    expect(realtime.wallDurationMs).toBeUndefined();
    let fixes = 0;
    for (let e = realtime.stream.next(); e; e = realtime.stream.next()) fixes++;
    // 60 s x 10 = 600 s simulated: 30 fixes per truck.
    expect(fixes).toBe(60);
    const load = planRun(
      { trucks: 2, intervalMs: 20_000, speedup: 1, gpsNoiseM: 0, rate: 100, durationMs: 5_000 },
      0,
    );
    expect(load.pacing).toEqual({ kind: "rate", perSecond: 100 });
    expect(load.wallDurationMs).toBe(5_000);
  });
});
