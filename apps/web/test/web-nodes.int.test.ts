import { randomBytes } from "node:crypto";
import path from "node:path";
import { TOPICS, type TruckPosition } from "@fleetstream/contracts";
import { scratchDatabases } from "@fleetstream/db/testing";
import { createEventLog } from "@fleetstream/eventlog";
import {
  type AppProcess,
  freePort,
  httpStatus,
  startAppProcess,
  tcpRelay,
} from "@fleetstream/service/testing";
import { io, type Socket } from "socket.io-client";
import { afterAll, describe, expect, it, vi } from "vitest";

// Several web nodes behind one URL: each reads the topics itself (no consumer group, no bus
// between them), so any node can serve any browser. A node dies; its browsers reconnect through
// the same URL to the other node and keep seeing a truck move. The "load balancer" is a TCP
// relay that sends each new connection to the first node that accepts it.

const repoRoot = path.resolve(import.meta.dirname, "../../..");
const run = randomBytes(4).toString("hex");
const brokers = (process.env.KAFKA_BROKERS ?? "127.0.0.1:9092").split(",");
const EMAIL = `nodes-${run}@fleetstream.test`;
const PASSWORD = "web-nodes-password-1";

describe("two web nodes behind one URL", () => {
  const scratch = scratchDatabases();
  const eventLog = createEventLog({ clientId: `it-web-nodes-${run}`, brokers });
  const producer = eventLog.producer();
  const nodes: { name: string; process: AppProcess; output: string[] }[] = [];
  const closers: (() => Promise<void> | void)[] = [];

  afterAll(async () => {
    for (const close of closers.reverse()) await close();
    for (const node of nodes) await node.process.kill("SIGTERM");
    await producer.close();
    await scratch.dropAll();
  });

  it("a node dies: its socket clients reconnect to the other within seconds and keep updating", async () => {
    const common = {
      DATABASE_URL: await scratch.create(),
      KAFKA_BROKERS: brokers.join(","),
      AUTH_SECRET: randomBytes(24).toString("hex"),
      ADMIN_EMAIL: EMAIL,
      ADMIN_PASSWORD: PASSWORD,
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
    };
    const logs = () =>
      nodes.map((n) => `--- ${n.name}:\n${n.output.join("").slice(-2_000)}`).join("\n");
    const startNode = async (name: string) => {
      const port = await freePort();
      const output: string[] = [];
      const process = startAppProcess({
        entry: "apps/web/src/main.ts",
        cwd: repoRoot,
        env: { ...common, PORT: String(port) },
        output: (chunk) => output.push(chunk.toString()),
      });
      nodes.push({ name, process, output });
      await vi
        .waitFor(
          async () => expect(await httpStatus(`http://127.0.0.1:${port}/health/ready`)).toBe(200),
          { timeout: 90_000, interval: 250 },
        )
        .catch((error: unknown) => {
          throw new Error(`${name} not ready: ${String(error)}\n${logs()}`);
        });
      // Ready means its sockets are served: one connecting at once is judged on its
      // credentials (none here), not turned away as "starting" (a load balancer sends
      // browsers to a node as soon as it reports ready).
      expect(await socketRefusal(`http://127.0.0.1:${port}`)).toMatch(/^unauthorized/);
      return { process, address: `127.0.0.1:${port}` };
    };
    // One after the other: the first creates the admin on the fresh database.
    const first = await startNode("web-1");
    const second = await startNode("web-2");
    const port = await freePort();
    const balancer = await tcpRelay(port, [first.address, second.address]);
    closers.push(() => balancer.close());
    const url = `http://127.0.0.1:${port}`;

    // An integrator's API key, made through the balancer with a signed-in session.
    const signIn = await fetch(`${url}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: url },
      body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
    });
    expect(signIn.status, await signIn.clone().text()).toBe(200);
    const cookie = signIn.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const created = await fetch(`${url}/api/keys`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: url, cookie },
      body: JSON.stringify({ name: `web-nodes-${run}`, role: "viewer" }),
    });
    expect(created.status, await created.clone().text()).toBe(201);
    const { token } = (await created.json()) as { token: string };

    // A probe truck reporting every 200 ms; the client records every sequence number it is shown.
    const truckId = `NODES-${run}`;
    let seq = 0;
    const reporting = setInterval(() => {
      seq += 1;
      const now = Date.now();
      const position: TruckPosition = {
        truckId,
        seq,
        lat: 52 + seq / 10_000,
        lon: 5,
        speedKmh: 50,
        headingDeg: 0,
        eventTime: now,
        processedAt: now,
      };
      producer
        .send(TOPICS.truckPositions.name, [{ key: truckId, value: JSON.stringify(position) }])
        .catch(() => {});
    }, 200);
    closers.push(() => clearInterval(reporting));

    const seen: { seq: number; at: number }[] = [];
    let snapshots = 0;
    const socket: Socket = io(url, {
      transports: ["websocket"],
      auth: { token },
      reconnectionDelay: 250,
      reconnectionDelayMax: 1_000,
    });
    closers.push(() => {
      socket.close();
    });
    const record = (positions: TruckPosition[]) => {
      for (const p of positions)
        if (p.truckId === truckId) seen.push({ seq: p.seq, at: Date.now() });
    };
    socket.on("fleet:snapshot:v1", (positions: TruckPosition[]) => {
      snapshots += 1;
      record(positions);
    });
    socket.on("fleet:positions:v1", record);

    const latestSeq = () => seen.at(-1)?.seq ?? 0;
    await vi.waitFor(() => expect(latestSeq()).toBeGreaterThan(5), {
      timeout: 30_000,
      interval: 100,
    });
    expect(snapshots).toBe(1);

    // The node this client is on dies without a goodbye. Which one is it? The first that
    // accepted: web-1.
    const killedAt = Date.now();
    const beforeKill = latestSeq();
    await first.process.kill("SIGKILL");

    // Back on web-2 within seconds: a new snapshot, then the truck keeps moving.
    await vi
      .waitFor(
        () => {
          expect(snapshots).toBe(2);
          expect(latestSeq()).toBeGreaterThan(beforeKill + 5);
        },
        { timeout: 15_000, interval: 100 },
      )
      .catch((error: unknown) => {
        throw new Error(`${String(error)}\n${logs()}`);
      });
    const resumedAt = seen.find((s) => s.at > killedAt)?.at ?? Number.NaN;
    const gapMs = resumedAt - killedAt;
    console.log(`web nodes: web-1 killed; the client saw the truck again after ${gapMs} ms`);
    expect(gapMs).toBeLessThan(10_000);
    // Still receiving, not just one snapshot: later positions keep arriving from web-2.
    const afterResume = latestSeq();
    await vi.waitFor(() => expect(latestSeq()).toBeGreaterThan(afterResume + 5), {
      timeout: 10_000,
      interval: 100,
    });
  });
});

/** Why the node refuses a socket.io connection without credentials (its connect_error). */
function socketRefusal(url: string): Promise<string> {
  const socket = io(url, { transports: ["websocket"], reconnection: false });
  let timer: ReturnType<typeof setTimeout> | undefined;
  return new Promise<string>((resolve) => {
    socket.once("connect_error", (error) => resolve(error.message));
    socket.once("connect", () => resolve("connected"));
    timer = setTimeout(() => resolve("no answer in 10 s"), 10_000);
  }).finally(() => {
    clearTimeout(timer);
    socket.close();
  });
}
