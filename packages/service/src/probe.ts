import type { HealthCheck } from "./ops-server";
import type { OutageLog } from "./outage";

/**
 * Readiness of an app's dependencies (PostgreSQL, Kafka) by asking them: each check runs every
 * `everyMs` (and at once), and counts as failed when it throws or takes longer than `timeoutMs`
 * (default 5 s: an answer that slow is an outage to a user; a busy 2-core machine is not).
 * `health()` reads the last answers without waiting, so /health/ready stays instant. Logs once
 * when a dependency stops answering and once when it answers again.
 */
export function startDependencyProbe(options: {
  checks: Record<string, () => Promise<unknown>>;
  log: OutageLog;
  everyMs?: number;
  timeoutMs?: number;
}): {
  health(): Record<string, HealthCheck>;
  /** Resolves once every check has answered (or timed out) the first time. */
  checked: Promise<void>;
  stop(): void;
} {
  const { checks, log, everyMs = 5_000, timeoutMs = 5_000 } = options;
  const state: Record<string, HealthCheck> = {};
  for (const name of Object.keys(checks)) state[name] = { ok: false, detail: "not checked yet" };
  const running = new Set<string>();

  async function check(name: string, call: () => Promise<unknown>): Promise<void> {
    // A call still waiting (timed out already) is not repeated until it settles.
    if (running.has(name)) return;
    running.add(name);
    const answer = call();
    answer.then(
      () => running.delete(name),
      () => running.delete(name),
    );
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        answer,
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      if (!state[name]?.ok && state[name]?.detail !== "not checked yet")
        log.info({ dependency: name }, `${name} answers again`);
      state[name] = { ok: true };
    } catch (error) {
      if (state[name]?.ok) log.warn({ dependency: name, err: error }, `${name} does not answer`);
      state[name] = { ok: false, detail: error instanceof Error ? error.message : String(error) };
    } finally {
      clearTimeout(timer);
    }
  }

  const round = () => Promise.all(Object.entries(checks).map(([name, call]) => check(name, call)));
  const checked = round().then(() => {});
  const interval = setInterval(round, everyMs);
  interval.unref();
  return {
    health: () => ({ ...state }),
    checked,
    stop: () => clearInterval(interval),
  };
}
