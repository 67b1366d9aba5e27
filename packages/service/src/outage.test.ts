import { describe, expect, it, vi } from "vitest";
import { Outage } from "./outage";

describe("Outage", () => {
  it("logs once when an outage starts and once when it ends, however many retries", async () => {
    vi.useFakeTimers();
    try {
      const lines: string[] = [];
      const outage = new Outage("Kafka", {
        warn: (_fields, message) => lines.push(message),
        info: (_fields, message) => lines.push(message),
      });
      let calls = 0;
      const result = outage.retry(async () => {
        calls++;
        if (calls < 6) throw new Error("connect ECONNREFUSED");
        return "sent";
      });
      await vi.runAllTimersAsync();
      expect(await result).toBe("sent");
      expect(calls).toBe(6);
      expect(lines).toEqual(["Kafka unreachable; retrying with backoff", "Kafka back"]);
      expect(outage.down).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });

  it("throws what is not retriable, and callers failing together share one wait", async () => {
    const quiet = { warn: () => {}, info: () => {} };
    const outage = new Outage("PostgreSQL", quiet, 10);
    await expect(
      outage.retry(() => Promise.reject(new Error("syntax error")), { retriable: () => false }),
    ).rejects.toThrow("syntax error");
    const first = outage.failed(new Error("down"));
    expect(outage.failed(new Error("down"))).toBe(first);
    await first;
    expect(outage.down).toBe(true);
  });
});
