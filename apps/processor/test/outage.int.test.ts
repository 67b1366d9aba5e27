import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import { TOPICS } from "@fleetstream/contracts";
import { scratchDatabases } from "@fleetstream/db/testing";
import { createEventLog, type EventLog } from "@fleetstream/eventlog";
import { freePort, httpStatus } from "@fleetstream/service/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  brokers,
  type ProcessorProcess,
  repoRoot,
  seekGroupToEnd,
  startProcessorProcess,
} from "./support";

// Outage drills on the real services of this checkout (infra/kafka.sh, infra/postgres.sh, on
// KAFKA_PORT / PGPORT): the broker or PostgreSQL is stopped while fleet-sim and the processor run
// as their own processes. Both must stay up, and afterwards every fix fleet-sim reports as
// acknowledged must be in position_fixes exactly once.

const run = randomBytes(4).toString("hex");
const exec = promisify(execFile);
const infra = (script: string, command: string) =>
  exec("bash", [path.join(repoRoot, "infra", script), command], { cwd: repoRoot });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Sim {
  child: ChildProcess;
  /** The exit code and the JSON summary fleet-sim prints last on stderr. */
  done: Promise<{ code: number | null; summary: { sent: number; failed: number } | undefined }>;
  output: string[];
}

/**
 * fleet-sim in load mode at `rate` records/s with rate × 20 s trucks: each truck sends one fix
 * every 20 s of simulated time, which then runs at wall-clock speed (event times stay near now).
 */
function startSim(rate: number, duration: string): Sim {
  const output: string[] = [];
  const child = spawn(
    process.execPath,
    [
      path.join(repoRoot, "apps/simulator/bin/fleet-sim.js"),
      "run",
      "--rate",
      String(rate),
      "--trucks",
      String(rate * 20),
      "--interval",
      "20s",
      "--duration",
      duration,
      "--json",
      "--topic",
      TOPICS.gpsFixes.name,
    ],
    { cwd: repoRoot, env: process.env, stdio: ["ignore", "pipe", "pipe"] },
  );
  const collect = (chunk: Buffer) => {
    output.push(chunk.toString());
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const done = new Promise<number | null>((resolve) => child.on("close", resolve)).then((code) => {
    const last = output.join("").trim().split("\n").at(-1) ?? "";
    let summary: { sent: number; failed: number } | undefined;
    try {
      summary = JSON.parse(last);
    } catch {}
    return { code, summary };
  });
  return { child, done, output };
}

/** The log lines about outages (each should appear once per outage). */
const outageLines = (output: string[]) =>
  output
    .join("")
    .split("\n")
    .filter((line) => /unreachable|back|failing|failed/.test(line))
    .map((line) => line.slice(0, 160))
    .join("\n  ");

async function query<T>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows as T[];
  } finally {
    await client.end();
  }
}

/** position_fixes: rows, and distinct (truck, seq) — equal when no fix is stored twice. */
const fixCounts = async (url: string) =>
  (
    await query<{ rows: number; distinct: number }>(
      url,
      "SELECT count(*)::int AS rows, count(DISTINCT (truck_id, seq))::int AS distinct FROM position_fixes",
    )
  )[0] as { rows: number; distinct: number };

describe("outages of Kafka and PostgreSQL", () => {
  const scratch = scratchDatabases();
  let eventLog: EventLog;
  let processor: ProcessorProcess | undefined;
  let sim: Sim | undefined;
  const logs: string[] = [];

  async function startProcessor(name: string): Promise<{ url: string; port: number }> {
    const url = await scratch.create();
    const groupId = `it-outage-${name}-${run}`;
    await seekGroupToEnd(eventLog, groupId, TOPICS.gpsFixes.name);
    const port = await freePort();
    logs.length = 0;
    processor = startProcessorProcess(
      {
        DATABASE_URL: url,
        PROCESSOR_GROUP_ID: groupId,
        PROCESSOR_METRICS_PORT: String(port),
        LOG_LEVEL: "info",
      },
      (chunk) => {
        logs.push(chunk.toString());
        if (logs.length > 400) logs.shift();
      },
    );
    processor.child.once("exit", (code, signal) =>
      logs.push(`[processor exited: code ${code}, signal ${signal}]\n`),
    );
    await vi.waitFor(async () => expect(await ready(port)).toBe(200), {
      timeout: 60_000,
      interval: 250,
    });
    return { url, port };
  }

  const ready = (port: number) => httpStatus(`http://127.0.0.1:${port}/health/ready`);

  const alive = (child: ChildProcess | undefined) =>
    child !== undefined && child.exitCode === null && child.signalCode === null;

  /** Waits until position_fixes holds `expected` fixes; the error carries the processor's logs. */
  async function untilStored(url: string, expected: number) {
    await vi
      .waitFor(async () => expect((await fixCounts(url)).rows).toBe(expected), {
        timeout: 60_000,
        interval: 500,
      })
      .catch((error: unknown) => {
        throw new Error(`${String(error)}\nprocessor output:\n${logs.slice(-40).join("")}`, {
          cause: error,
        });
      });
  }

  beforeAll(async () => {
    eventLog = createEventLog({ clientId: `it-outage-${run}`, brokers });
    await eventLog.ensureTopics([TOPICS.gpsFixes]);
  });

  afterAll(async () => {
    // Whatever happened, leave both services running for the next tests.
    await infra("kafka.sh", "start").catch(() => {});
    await infra("postgres.sh", "start").catch(() => {});
    sim?.child.kill("SIGKILL");
    await processor?.kill("SIGTERM");
    await eventLog?.close();
    await scratch.dropAll();
  });

  it("a broker down 60 s: fleet-sim and the processor stay up, every acknowledged fix is stored once", async () => {
    const { url } = await startProcessor("kafka");
    // A group-less reader like the web app's live feeds, on the processor's positions: it must
    // go on after the restart from where it was, neither skipping nor repeating records.
    const seen: string[] = [];
    const reader = eventLog.reader({
      topics: [TOPICS.truckPositions.name],
      startFrom: "latest",
      eachBatch: async (batch) => {
        for (const r of batch.records) seen.push(`${r.partition}:${r.offset}`);
      },
    });
    await reader.start();
    const from = await eventLog.offsets(TOPICS.truckPositions.name);
    const started = Date.now();
    sim = startSim(200, "90s");
    await sleep(8_000);
    await infra("kafka.sh", "stop");
    const stoppedAt = Date.now();
    let aliveDuringOutage: boolean;
    try {
      await sleep(60_000);
      aliveDuringOutage = alive(sim.child);
    } finally {
      await infra("kafka.sh", "start");
    }
    expect(aliveDuringOutage, `fleet-sim during the outage:\n${sim.output.join("")}`).toBe(true);
    const down = Date.now() - stoppedAt;
    const { code, summary } = await sim.done;
    expect(code, `fleet-sim:\n${sim.output.join("")}`).toBe(0);
    expect(summary?.failed).toBe(0);
    const sent = summary?.sent ?? 0;
    expect(sent).toBeGreaterThan(6_000); // it went on producing after the restart
    await untilStored(url, sent);
    expect(await fixCounts(url)).toEqual({ rows: sent, distinct: sent });
    expect(alive(processor?.child), logs.slice(-40).join("")).toBe(true);
    const to = await eventLog.offsets(TOPICS.truckPositions.name);
    const published = to.reduce(
      (sum, p) => sum + p.high - (from.find((f) => f.partition === p.partition)?.high ?? 0),
      0,
    );
    await vi.waitFor(() => expect(seen.length).toBeGreaterThanOrEqual(published), {
      timeout: 30_000,
    });
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(published);
    await reader.stop();
    console.info(
      `kafka drill: broker down ${Math.round(down / 1000)} s, ${sent} fixes acknowledged and stored once, reader saw ${seen.length} positions once each, ${Math.round((Date.now() - started) / 1000)} s`,
      `\nfleet-sim: ${outageLines(sim.output)}\nprocessor: ${outageLines(logs)}`,
    );
  }, 240_000);

  it("PostgreSQL down 60 s: the processor stays up, /health/ready goes 503 then 200, nothing lost or doubled", async () => {
    await processor?.kill("SIGTERM");
    const { url, port } = await startProcessor("pg");
    const started = Date.now();
    sim = startSim(200, "80s");
    const statuses: number[] = [];
    const poll = setInterval(() => {
      void ready(port).then((status) => {
        if (statuses.at(-1) !== status) statuses.push(status);
      });
    }, 500);
    try {
      await sleep(8_000);
      await infra("postgres.sh", "stop");
      const stoppedAt = Date.now();
      let aliveDuringOutage: boolean;
      try {
        await sleep(60_000);
        aliveDuringOutage = alive(processor?.child);
      } finally {
        await infra("postgres.sh", "start");
      }
      expect(aliveDuringOutage, logs.slice(-40).join("")).toBe(true);
      const down = Date.now() - stoppedAt;
      const { code, summary } = await sim.done;
      expect(code, `fleet-sim:\n${sim.output.join("")}`).toBe(0);
      const sent = summary?.sent ?? 0;
      expect(sent).toBeGreaterThan(10_000);
      await untilStored(url, sent);
      expect(await fixCounts(url)).toEqual({ rows: sent, distinct: sent });
      // Each truck's row is its latest stored fix.
      const [behind] = await query<{ n: number }>(
        url,
        `SELECT count(*)::int AS n FROM trucks t
         WHERE t.seq <> (SELECT max(seq) FROM position_fixes f WHERE f.truck_id = t.id)`,
      );
      expect(behind?.n).toBe(0);
      await vi.waitFor(() => expect(statuses.at(-1)).toBe(200), { timeout: 15_000 });
      expect(statuses).toEqual([200, 503, 200]);
      expect(alive(processor?.child), logs.slice(-40).join("")).toBe(true);
      console.info(
        `postgres drill: down ${Math.round(down / 1000)} s, ${sent} fixes stored once, readiness ${statuses.join(" → ")}, ${Math.round((Date.now() - started) / 1000)} s`,
        `\nprocessor: ${outageLines(logs)}`,
      );
    } finally {
      clearInterval(poll);
    }
  }, 170_000);
});
