import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { scratchDatabases } from "@fleetstream/db/testing";
import {
  type AppProcess,
  freePort,
  startAppProcess,
  httpStatus as status,
} from "@fleetstream/service/testing";
import { afterAll, describe, expect, it, vi } from "vitest";

// `npm run stack` supervises its apps: one that dies (here: the processor, SIGKILLed) is started
// again by the launcher while the others go on serving, instead of the whole product stopping.

const repoRoot = path.resolve(import.meta.dirname, "../../..");
const run = randomBytes(4).toString("hex");

/** The launcher's child processes running `entry`, by their command lines, oldest first. */
function childrenRunning(parent: number, entry: string): number[] {
  const lines = execFileSync("ps", ["-o", "pid=,args=", "--ppid", String(parent)], {
    encoding: "utf8",
  }).split("\n");
  return lines
    .filter((l) => l.includes(entry))
    .map((line) => Number(line.trim().split(/\s+/)[0]))
    .sort((a, b) => a - b);
}

describe("the stack launcher", () => {
  const scratch = scratchDatabases();
  let stack: AppProcess | undefined;

  afterAll(async () => {
    await stack?.kill("SIGTERM");
    await scratch.dropAll();
  });

  it("restarts an app that dies while the others keep serving", async () => {
    const ports = {
      web: await freePort(),
      processor: await freePort(),
      dispatcher: await freePort(),
    };
    const output: string[] = [];
    stack = startAppProcess({
      entry: "apps/standalone/src/stack.ts",
      cwd: repoRoot,
      env: {
        KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? "127.0.0.1:9092",
        DATABASE_URL: await scratch.create(),
        PORT: String(ports.web),
        PROCESSOR_METRICS_PORT: String(ports.processor),
        DISPATCHER_METRICS_PORT: String(ports.dispatcher),
        PROCESSOR_GROUP_ID: `it-stack-${run}`,
        DISPATCHER_GROUP_ID: `it-stack-${run}`,
        SIM_TRUCKS: "0",
        // The killed processor's partitions move to its successor within seconds.
        KAFKA_SESSION_TIMEOUT_MS: "6000",
        MAP_TILE_URL: "none",
        LOG_LEVEL: "warn",
      },
      output: (chunk) => output.push(chunk.toString()),
    });
    const processorReady = `http://127.0.0.1:${ports.processor}/health/ready`;
    const webReady = `http://127.0.0.1:${ports.web}/health/ready`;
    const until200 = (url: string) =>
      vi
        .waitFor(async () => expect(await status(url)).toBe(200), {
          timeout: 120_000,
          interval: 500,
        })
        .catch((error: unknown) => {
          throw new Error(`${url}: ${String(error)}\n${output.join("").slice(-4_000)}`);
        });
    await until200(processorReady);
    await until200(webReady);

    const processors = () =>
      childrenRunning(stack?.child.pid as number, "apps/processor/src/main.ts");
    // Its two lanes (positions + alerts, speed windows); the first started has the port.
    const lanes = processors();
    expect(lanes, "the launcher runs the processor's two lanes as its children").toHaveLength(2);
    const pid = lanes[0] as number;
    process.kill(pid, "SIGKILL");
    await vi.waitFor(() => expect(output.join("")).toContain("app exited; restarting it"), {
      timeout: 15_000,
    });
    // The web went on serving meanwhile, and a new processor becomes ready.
    const web = await fetch(webReady);
    expect(web.status, await web.text()).toBe(200);
    await until200(processorReady);
    const again = processors();
    expect(again).toHaveLength(2);
    expect(again).not.toContain(pid);
    expect(stack.child.exitCode).toBeNull();
  }, 300_000);
});
