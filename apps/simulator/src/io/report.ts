import type { FaultCounts } from "../domain/faults";
import type { RunProgress, StopReason } from "./runner";

/** What a run did; printed at exit (text, or one JSON line with --json). */
export interface RunSummary {
  command: "run" | "replay";
  stoppedBy: StopReason | "running";
  /** "kafka" or "stdout". */
  target: string;
  topic?: string;
  brokers?: string[];
  /** Records acknowledged by the target. */
  sent: number;
  failed: number;
  elapsedMs: number;
  /** sent / elapsed seconds. */
  ratePerSecond: number;
  /** run: fixes the fleet generated (before faults). replay: records read from the file. */
  generated: number;
  seed?: number;
  /** ISO-8601 simulated start (run) or first event time (replay). */
  startTime?: string;
  trucks?: number;
  intervalMs?: number;
  region?: string;
  /** Simulated time covered, ms. */
  simulatedMs?: number;
  /** What the fault injector did (run only). */
  injected?: FaultCounts;
  error?: string;
}

const int = (n: number) => Math.round(n).toLocaleString("en-US");

/** 83 -> "1:23", 3723 -> "1:02:03". */
export function formatClock(ms: number): string {
  const total = Math.floor(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = h > 0 ? String(m).padStart(2, "0") : String(m);
  return `${h > 0 ? `${h}:` : ""}${mm}:${String(s).padStart(2, "0")}`;
}

/** One status line: sent, current rate, errors, elapsed (and simulated clock when known). */
export function formatStatus(progress: RunProgress, ratePerSecond: number): string {
  const sim =
    progress.simTime === undefined
      ? ""
      : ` | sim ${new Date(progress.simTime).toISOString().slice(0, 19)}Z`;
  return `fleet-sim | sent ${int(progress.sent)} | ${int(ratePerSecond)}/s | errors ${int(progress.failed)} | elapsed ${formatClock(progress.elapsedMs)}${sim}`;
}

const REASONS: Record<StopReason | "running", string> = {
  running: "running",
  completed: "done",
  duration: "duration reached",
  stopped: "stopped by signal",
  "output-closed": "output closed by the reader",
  error: "FAILED",
};

/** Human-readable summary, several lines, no trailing newline. */
export function formatSummary(s: RunSummary): string {
  const lines: string[] = [];
  const where =
    s.target === "kafka" ? `Kafka topic ${s.topic} at ${s.brokers?.join(",")}` : "stdout";
  lines.push(
    `fleet-sim ${s.command}: ${REASONS[s.stoppedBy]} after ${(s.elapsedMs / 1000).toFixed(1)}s`,
  );
  lines.push(
    `  sent ${int(s.sent)} records to ${where} (${int(s.ratePerSecond)}/s), errors ${int(s.failed)}`,
  );
  if (s.command === "run") {
    lines.push(
      `  fleet: ${s.trucks} trucks, fix every ${(s.intervalMs ?? 0) / 1000}s, ${int(s.generated)} fixes generated, ${formatClock(s.simulatedMs ?? 0)} simulated`,
    );
    if (s.region) lines.push(`  region: ${s.region}`);
    lines.push(`  seed ${s.seed}, start ${s.startTime} (pass both to repeat this run exactly)`);
  } else {
    lines.push(`  ${int(s.generated)} records read, first event time ${s.startTime ?? "-"}`);
  }
  const f = s.injected;
  if (f) {
    const kinds = Object.entries(f.malformedByKind)
      .map(([kind, n]) => `${kind} ${n}`)
      .join(", ");
    lines.push(
      `  injected: duplicates ${f.duplicates}, reordered ${f.reordered}, late ${f.late}, malformed ${f.malformed}${kinds ? ` (${kinds})` : ""}, dropped ${f.dropped}, silences ${f.silences} (${f.silenced} fixes)`,
    );
  }
  if (s.error) lines.push(`  error: ${s.error}`);
  return lines.join("\n");
}

/**
 * Rate over a sliding window of recent samples, for the status line.
 */
export class RateMeter {
  private readonly samples: { at: number; count: number }[] = [];

  constructor(private readonly windowMs = 2_000) {}

  sample(at: number, count: number): number {
    this.samples.push({ at, count });
    while (this.samples.length > 2 && (this.samples[0] as { at: number }).at < at - this.windowMs) {
      this.samples.shift();
    }
    const first = this.samples[0] as { at: number; count: number };
    const span = at - first.at;
    return span > 0 ? ((count - first.count) * 1000) / span : 0;
  }
}
