import { describe, expect, it, vi } from "vitest";
import { startDependencyProbe } from "./probe";

describe("startDependencyProbe", () => {
  it("reports each dependency by its last answer: ok, failed, or no answer in time", async () => {
    const lines: string[] = [];
    let databaseUp = true;
    const probe = startDependencyProbe({
      checks: {
        database: async () => {
          if (!databaseUp) throw new Error("connect ECONNREFUSED");
        },
        kafka: () => new Promise(() => {}), // never answers
      },
      log: {
        warn: (_fields, message) => lines.push(message),
        info: (_fields, message) => lines.push(message),
      },
      everyMs: 20,
      timeoutMs: 50,
    });
    try {
      await vi.waitFor(() => expect(probe.health().kafka?.detail).toBe("no answer in 50 ms"));
      expect(probe.health().database).toEqual({ ok: true });
      databaseUp = false;
      await vi.waitFor(() => expect(probe.health().database?.ok).toBe(false));
      expect(probe.health().database?.detail).toContain("ECONNREFUSED");
      databaseUp = true;
      await vi.waitFor(() => expect(probe.health().database?.ok).toBe(true));
      // One line when it went away, one when it came back; none per failed round.
      expect(lines).toEqual(["database does not answer", "database answers again"]);
    } finally {
      probe.stop();
    }
  });
});
