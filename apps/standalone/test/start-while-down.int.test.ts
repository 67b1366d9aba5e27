import { randomBytes } from "node:crypto";
import path from "node:path";
import { scratchDatabases } from "@fleetstream/db/testing";
import {
  type AppProcess,
  freePort,
  startAppProcess,
  httpStatus as status,
  tcpRelay,
} from "@fleetstream/service/testing";
import { afterAll, describe, expect, it, vi } from "vitest";

// A cluster restarted all at once, or an app started before its dependencies: the processor,
// the web app and the dispatcher start while PostgreSQL and Kafka cannot be reached. Each must
// stay up with its health endpoints answering (live 200, ready 503), then become ready once
// both are back, without a restart. "Down" is a port nothing listens on yet; "back" is a TCP
// relay opened on that port to the real service of infra/ (the broker's metadata then sends
// kafkajs to the broker itself, as after any bootstrap).

const repoRoot = path.resolve(import.meta.dirname, "../../..");
const run = randomBytes(4).toString("hex");
const kafka = (process.env.KAFKA_BROKERS ?? "127.0.0.1:9092").split(",")[0] as string;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("starting while PostgreSQL and Kafka are down", () => {
  const scratch = scratchDatabases();
  const apps: { name: string; process: AppProcess; output: string[] }[] = [];
  const relays: { close(): Promise<void> }[] = [];

  afterAll(async () => {
    for (const app of apps) await app.process.kill("SIGTERM");
    for (const open of relays) await open.close();
    await scratch.dropAll();
  });

  it("processor, web and dispatcher wait with health answering, become ready, and report a later outage", async () => {
    const database = new URL(await scratch.create());
    const [databasePort, kafkaPort] = [await freePort(), await freePort()];
    const realDatabase = `${database.hostname}:${database.port || "5432"}`;
    const viaRelay = new URL(database);
    viaRelay.hostname = "127.0.0.1";
    viaRelay.port = String(databasePort);
    const ports = {
      processor: await freePort(),
      web: await freePort(),
      dispatcher: await freePort(),
    };
    const common = {
      DATABASE_URL: viaRelay.toString(),
      KAFKA_BROKERS: `127.0.0.1:${kafkaPort}`,
      LOG_LEVEL: "info",
    };
    const start = (name: string, entry: string, env: Record<string, string>) => {
      const output: string[] = [];
      const process = startAppProcess({
        entry,
        cwd: repoRoot,
        env: { ...common, ...env },
        output: (chunk) => output.push(chunk.toString()),
      });
      apps.push({ name, process, output });
    };
    start("processor", "apps/processor/src/main.ts", {
      PROCESSOR_GROUP_ID: `it-start-down-${run}`,
      PROCESSOR_METRICS_PORT: String(ports.processor),
    });
    start("web", "apps/web/src/main.ts", {
      PORT: String(ports.web),
      HOST: "127.0.0.1",
      AUTH_SECRET: randomBytes(24).toString("hex"),
    });
    start("dispatcher", "apps/dispatcher/src/main.ts", {
      DISPATCHER_GROUP_ID: `it-start-down-${run}`,
      DISPATCHER_METRICS_PORT: String(ports.dispatcher),
    });
    const url = {
      processor: `http://127.0.0.1:${ports.processor}`,
      web: `http://127.0.0.1:${ports.web}`,
      dispatcher: `http://127.0.0.1:${ports.dispatcher}`,
    };
    const logsOf = () =>
      apps.map((app) => `--- ${app.name}:\n${app.output.join("").slice(-3_000)}`).join("\n");
    const alive = () =>
      apps.filter((app) => app.process.child.exitCode === null && !app.process.child.signalCode)
        .length;

    // Down: every app answers live 200 / ready 503 and stays up.
    for (const base of Object.values(url)) {
      await vi
        .waitFor(async () => expect(await status(`${base}/health/live`)).toBe(200), {
          timeout: 60_000,
          interval: 250,
        })
        .catch((error: unknown) => {
          throw new Error(`${String(error)}\n${logsOf()}`);
        });
      expect(await status(`${base}/health/ready`)).toBe(503);
    }
    expect(await status(`${url.web}/api/trucks`)).toBe(503);
    await sleep(5_000);
    expect(alive(), logsOf()).toBe(3);
    for (const base of Object.values(url)) expect(await status(`${base}/health/ready`)).toBe(503);

    // PostgreSQL back, Kafka still down: still waiting, still up.
    relays.push(await tcpRelay(databasePort, realDatabase));
    await sleep(5_000);
    expect(alive(), logsOf()).toBe(3);
    expect(await status(`${url.processor}/health/ready`)).toBe(503);

    // Kafka back: all three become ready on their own.
    relays.push(await tcpRelay(kafkaPort, kafka));
    const until200 = (ready: string) =>
      vi
        .waitFor(async () => expect(await status(ready)).toBe(200), {
          timeout: 90_000,
          interval: 500,
        })
        .catch((error: unknown) => {
          throw new Error(`${ready}: ${String(error)}\n${logsOf()}`);
        });
    for (const base of Object.values(url)) await until200(`${base}/health/ready`);
    expect(alive(), logsOf()).toBe(3);

    // PostgreSQL away again while they run: each one's readiness names it, then recovers.
    await relays[0]?.close();
    for (const base of Object.values(url))
      await vi
        .waitFor(
          async () => {
            const response = await fetch(`${base}/health/ready`);
            expect(response.status).toBe(503);
            const body = (await response.json()) as { checks: Record<string, { ok: boolean }> };
            expect(body.checks.database?.ok).toBe(false);
          },
          { timeout: 30_000, interval: 500 },
        )
        .catch((error: unknown) => {
          throw new Error(`${base}: ${String(error)}\n${logsOf()}`);
        });
    relays[0] = await tcpRelay(databasePort, realDatabase);
    for (const base of Object.values(url)) await until200(`${base}/health/ready`);
    expect(alive(), logsOf()).toBe(3);
    // Each said once that it waited and once that it was back, not once per retry.
    for (const app of apps) {
      const lines = app.output.join("").split("\n");
      const waited = lines.filter((line) => line.includes("PostgreSQL unreachable")).length;
      expect(waited, `${app.name}:\n${app.output.join("")}`).toBe(1);
    }
  }, 240_000);
});
