import { spawn } from "node:child_process";
import path from "node:path";
import { alertPayload, createSigner, generateSecret, testPayload } from "@fleetstream/webhooks";
import { afterAll, describe, expect, it, vi } from "vitest";

// `fleet-hooks listen` as a person runs it: a process that verifies what arrives and prints one
// line per delivery, and refuses what does not verify.

const BIN = path.resolve(import.meta.dirname, "../bin/fleet-hooks.js");

describe("fleet-hooks listen", () => {
  const secret = generateSecret();
  const child = spawn(process.execPath, [BIN, "listen", "--port", "0", "--secret", secret], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });

  afterAll(() => {
    child.kill("SIGTERM");
  });

  async function url(): Promise<string> {
    return vi.waitFor(
      () => {
        const match = /listening on (http:\/\/\S+)/.exec(stderr);
        if (!match?.[1]) throw new Error(`not listening yet: ${stderr}`);
        return match[1];
      },
      { timeout: 30_000, interval: 100 },
    );
  }

  async function post(body: string, headers: Record<string, string>) {
    const response = await fetch(await url(), {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
    });
    return response.status;
  }

  it("prints one verified line per alert, marking a repeated webhook-id", async () => {
    const alert = {
      v: 1 as const,
      id: "T-0042/depot/ENTER/1764000000000",
      kind: "ENTER" as const,
      truckId: "T-0042",
      geofenceId: "depot",
      geofenceVersion: 1,
      eventTime: 1_764_000_000_000,
      since: 1_763_999_980_000,
      seq: 9,
      lat: 52.09,
      lon: 5.12,
      speedKmh: 48,
    };
    const { body } = alertPayload(alert, { name: "Depot Utrecht", tags: ["depot"] });
    const headers = { ...createSigner([secret])("msg_cli1", body, new Date()) };
    expect(await post(body, headers)).toBe(204);
    expect(await post(body, headers)).toBe(204);
    const test = testPayload("endpoint-1", Date.now()).body;
    expect(await post(test, { ...createSigner([secret])("msg_cli2", test, new Date()) })).toBe(204);
    await vi.waitFor(() => expect(stdout.trim().split("\n")).toHaveLength(3));
    const [first, again, testLine] = stdout.trim().split("\n");
    expect(first).toMatch(
      /geofence\.enter\s+T-0042\s+Depot Utrecht \[depot\]\s+52\.09000,5\.12000\s+48\.0 km\/h\s+msg_cli1$/,
    );
    expect(again).toMatch(/msg_cli1 {2}\(again, #2\)$/);
    expect(testLine).toMatch(/webhook\.test\s+endpoint endpoint-1: .*msg_cli2$/);
  });

  it("answers 401 to a bad signature and says why, printing no alert", async () => {
    const { body } = testPayload("endpoint-1", Date.now());
    const signed = createSigner([generateSecret()])("msg_forged", body, new Date());
    const before = stdout;
    expect(await post(body, { ...signed })).toBe(401);
    await vi.waitFor(() => expect(stderr).toMatch(/rejected POST \/: signature check failed/));
    expect(stdout).toBe(before);
  });
});
