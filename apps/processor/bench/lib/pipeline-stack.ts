/**
 * Shared by the pipeline benchmarks: local services, geofences over the simulated region, the
 * simulator and the processor as child processes, and the processor's checkpoint progress.
 */
import { execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { GEOFENCE_DELETED_AT_HEADER, type Geofence, TOPICS } from "@fleetstream/contracts";
import type { Sql } from "@fleetstream/db";
import type { EventLog } from "@fleetstream/eventlog";
import { NL_REGION, randomGeometry, seededRandom } from "@fleetstream/geofence/testing";
import { createLogger } from "@fleetstream/service";
import { createGeofenceRegistry } from "../../src/geofence/registry";
import { laneGroupId, type ProcessorOperatorName, SPLIT_LANES } from "../../src/lanes";
import { type ProcessorProcess, repoRoot, startProcessorProcess } from "../../test/support";

export const log = (line: string) => process.stderr.write(`${line}\n`);

/** Starts infra/'s Kafka and PostgreSQL unless KAFKA_BROKERS and DATABASE_URL are set. */
export function services(): { brokers: string[]; databaseUrl: string } {
  if (!process.env.KAFKA_BROKERS || !process.env.DATABASE_URL) {
    const printed = execFileSync("bash", ["infra/up.sh"], {
      cwd: repoRoot,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    });
    for (const [, name, value] of printed.matchAll(/^export (\w+)=(.*)$/gm))
      if (name && value !== undefined) process.env[name] = value;
  }
  return {
    brokers: (process.env.KAFKA_BROKERS ?? "").split(","),
    databaseUrl: process.env.DATABASE_URL ?? "",
  };
}

/** `count` random geofences over the simulator's region (circles, polygons, corridors). */
export function benchFences(run: string, count: number, at: number): Geofence[] {
  const rng = seededRandom(1_000);
  return Array.from({ length: count }, (_, i) => ({
    id: `bench-${run}-${i}`,
    version: 1,
    name: `Bench ${i}`,
    tags: ["bench"],
    enabled: true,
    geometry: randomGeometry(rng, NL_REGION),
    speedLimitKmh: rng() < 0.3 ? 50 + Math.floor(rng() * 4) * 10 : null,
    dwellSeconds: rng() < 0.3 ? 120 : null,
    debounce: { fixes: 3, seconds: 20 },
    createdAt: at,
    updatedAt: at,
  }));
}

export async function publishFences(eventLog: EventLog, fences: readonly Geofence[]) {
  await eventLog.ensureTopics([TOPICS.geofences]);
  const producer = eventLog.producer();
  await producer.send(
    TOPICS.geofences.name,
    fences.map((f) => ({ key: f.id, value: JSON.stringify(f) })),
  );
  await producer.close();
}

/**
 * Tombstones dated at each fence's creation: a fence applies to fixes by event time until its
 * deletion time, so a fence deleted "now" would still match later runs' fixes of earlier event
 * times. Deleted as of its creation, it never matches anything again.
 */
export async function deleteFences(
  eventLog: EventLog,
  fences: readonly Pick<Geofence, "id" | "createdAt">[],
) {
  const producer = eventLog.producer();
  await producer.send(
    TOPICS.geofences.name,
    fences.map((f) => ({
      key: f.id,
      value: null,
      headers: { [GEOFENCE_DELETED_AT_HEADER]: String(f.createdAt) },
    })),
  );
  await producer.close();
}

/**
 * Deletes the bench fences an interrupted run left live (its last step deletes them): reads the
 * geofences topic as a processor does (its registry) and tombstones every current fence with a
 * bench id. Without this, the next runs counted those fences' alerts too.
 */
export async function deleteLeftoverFences(eventLog: EventLog): Promise<number> {
  const registry = createGeofenceRegistry({ eventLog, logger: createLogger("bench", "warn") });
  await registry.start();
  await registry.stop();
  const leftover = registry.index
    .current()
    .filter((fence) => fence.id.startsWith("bench-"))
    .map((fence) => ({ id: fence.id, createdAt: fence.from }));
  if (leftover.length > 0) await deleteFences(eventLog, leftover);
  return leftover.length;
}

/** Runs fleet-sim with these arguments to completion (its summary goes to stderr). */
export function simulate(args: string[], brokers: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "apps/simulator/src/main.ts",
        "run",
        "--brokers",
        brokers.join(","),
        ...args,
      ],
      { cwd: repoRoot, stdio: ["ignore", "ignore", "inherit"] },
    );
    child.once("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`fleet-sim exited with ${code}`)),
    );
  });
}

/** Records applied per partition according to the processor's checkpoints. */
export async function checkpointed(sql: Sql, groupId: string): Promise<Map<number, number>> {
  const rows = await sql.query<{ partition: number; next_offset: string }>(
    "SELECT partition, next_offset FROM processor_checkpoints WHERE group_id = $1 AND topic = $2",
    [groupId, TOPICS.gpsFixes.name],
  );
  return new Map(rows.map((r) => [r.partition, Number(r.next_offset)]));
}

/** CPU seconds (user + system) a process has used, from /proc. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  // After "pid (comm) ": state is field 0, utime 11, stime 12 (clock ticks, 100 per second).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export const percentile = (sorted: readonly number[], p: number): number =>
  sorted.length === 0
    ? Number.NaN
    : (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number);

/**
 * `--lanes`: the processor as one process running every operator ("one"), or split as the stack
 * runs it ("split"): a positions + geofence lane and a speed-windows lane, each its own process
 * and consumer group (PROCESSOR_OPERATORS). "live": the positions + geofence lane alone, no speed
 * windows at all: what the windows lane costs the live path, measured against "split" (latency).
 */
export const PROCESSOR_LANES: Record<
  string,
  readonly (readonly ProcessorOperatorName[] | undefined)[]
> = {
  one: [undefined],
  split: SPLIT_LANES,
  live: [["positions", "geofence"]],
};

/** The lanes `--lanes` names, each with its consumer group; throws one line for an unknown one. */
export function processorLanes(
  name: string,
  groupId: string,
): { operators: readonly ProcessorOperatorName[] | undefined; groupId: string }[] {
  const lanes = PROCESSOR_LANES[name];
  if (!lanes)
    throw new Error(`--lanes must be one of ${Object.keys(PROCESSOR_LANES).join(", ")}: ${name}`);
  return lanes.map((operators) => ({ operators, groupId: laneGroupId(groupId, operators) }));
}

/**
 * Starts `processes` processor processes per lane, their output to stderr with the lane's name.
 * BENCH_PROFILE=dir: each writes a CPU profile (node --cpu-prof) to dir/<lane>; BENCH_NODE_ARGS:
 * more node flags for them (e.g. --trace-gc).
 */
export function startProcessorLanes(
  lanes: ReturnType<typeof processorLanes>,
  env: Record<string, string> & { PROCESSOR_GROUP_ID: string },
  processes = 1,
): ProcessorProcess[] {
  return lanes.flatMap(({ operators }) => {
    const name = operators ? `processor-${operators.join("-")}` : "processor";
    const profile = process.env.BENCH_PROFILE;
    const nodeArgs = [
      ...(profile ? ["--cpu-prof", `--cpu-prof-dir=${path.join(profile, name)}`] : []),
      ...(process.env.BENCH_NODE_ARGS ?? "").split(" ").filter(Boolean),
    ];
    return Array.from({ length: processes }, () =>
      startProcessorProcess(
        {
          LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "warn",
          ...env,
          ...(operators ? { PROCESSOR_OPERATORS: operators.join(",") } : {}),
        },
        (chunk) => process.stderr.write(lanes.length > 1 ? `[${name}] ${chunk}` : chunk),
        nodeArgs,
      ),
    );
  });
}
