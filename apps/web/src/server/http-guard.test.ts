import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_BODY_BYTES, readJson } from "./http/respond";
import { answerClientError, createHttpGuard, securityHeaders, tileSource } from "./http-guard";

// The guard in front of a real Node HTTP server, as web-server.ts wires it; behind it a handler
// that reads the body as the API does (a web Request over the Node stream, as Next.js builds it).

let server: Server;
let base: string;
let reached: string[] = [];

beforeAll(async () => {
  const guard = createHttpGuard({
    tileUrl: "https://{s}.tiles.example.com/{z}/{x}/{y}.png",
    dev: false,
  });
  server = createServer((req, res) => {
    if (guard(req, res)) return;
    reached.push(`${req.method} ${req.url}`);
    const hasBody =
      req.headers["transfer-encoding"] !== undefined ||
      (req.headers["content-length"] ?? "0") !== "0";
    const request = new Request(`http://localhost${req.url}`, {
      method: req.method ?? "GET",
      ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream, duplex: "half" } : {}),
    } as RequestInit);
    void (async () => {
      const body = hasBody ? await readJson(request) : { ok: true as const, value: null };
      const response = body.ok ? Response.json({ echo: body.value }) : body.response;
      res.writeHead(response.status, { "content-type": "application/json" });
      res.end(await response.text());
    })();
  });
  server.on("clientError", answerClientError);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** One request with exact headers (fetch would add or fix some). */
function send(
  method: string,
  path: string,
  headers: Record<string, string | number> = {},
  body?: string,
): Promise<{ status: number; headers: Record<string, unknown>; json: { error?: string } }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { method, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, json: JSON.parse(text) }),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Raw bytes on a socket, for what Node's own client refuses to send. */
function raw(bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(new URL(base).port), "127.0.0.1");
    let text = "";
    socket.on("data", (chunk) => (text += chunk.toString("utf8")));
    socket.on("end", () => resolve(text));
    socket.on("error", reject);
    socket.write(bytes);
  });
}

describe("HTTP guard", () => {
  it("refuses an API body whose Content-Length is over 1 MiB with 413 JSON, before any handler", async () => {
    reached = [];
    const answer = await send("POST", "/api/geofences", {
      "content-type": "application/json",
      "content-length": MAX_BODY_BYTES + 1,
    });
    expect(answer.status).toBe(413);
    expect(answer.json.error).toBe(
      `request body of ${MAX_BODY_BYTES + 1} bytes exceeds the limit of 1048576 bytes`,
    );
    expect(answer.headers.connection).toBe("close");
    expect(reached).toEqual([]);
  });

  it("requires application/json for API bodies: 415 naming the expected type", async () => {
    const text = await send("POST", "/api/geofences", { "content-type": "text/plain" }, "{}");
    expect(text.status).toBe(415);
    expect(text.json.error).toBe("content-type must be application/json, not text/plain");
    const form = await send(
      "PUT",
      "/api/geofences/x",
      { "content-type": "application/x-www-form-urlencoded" },
      "a=1",
    );
    expect(form.status).toBe(415);
    const none = await send("PATCH", "/api/webhooks/endpoints/x", { "content-length": 2 }, "{}");
    expect(none.status).toBe(415);
    expect(none.json.error).toBe("content-type must be application/json");
    const deleteWithBody = await send(
      "DELETE",
      "/api/geofences/x",
      { "content-type": "text/plain", "content-length": 1 },
      "x",
    );
    expect(deleteWithBody.status).toBe(415);
    const emptyText = await send("POST", "/api/alerts/a/acknowledgement", {
      "content-type": "text/plain",
      "content-length": 0,
    });
    expect(emptyText.status).toBe(415);
  });

  it("lets JSON (any charset or case), bodiless calls and non-API paths through", async () => {
    reached = [];
    const charset = await send(
      "POST",
      "/api/geofences",
      { "content-type": "Application/JSON; charset=UTF-8" },
      '{"ok":true}',
    );
    expect(charset).toMatchObject({ status: 200, json: { echo: { ok: true } } });
    expect(
      (await send("POST", "/api/webhooks/endpoints/x/test", { "content-length": 0 })).status,
    ).toBe(200);
    expect((await send("DELETE", "/api/geofences/x")).status).toBe(200);
    expect((await send("GET", "/api/trucks")).status).toBe(200);
    expect(reached).toEqual([
      "POST /api/geofences",
      "POST /api/webhooks/endpoints/x/test",
      "DELETE /api/geofences/x",
      "GET /api/trucks",
    ]);
  });

  it("answers 400 JSON for NUL bytes and malformed percent-encoding in the URL", async () => {
    reached = [];
    const encodedNul = await send("GET", "/api/geofences/a%00b");
    expect(encodedNul.status).toBe(400);
    expect(encodedNul.json.error).toBe("the request URL must not contain NUL bytes (%00)");
    expect((await send("GET", "/api/geofences?tag=%00")).status).toBe(400);
    const malformed = await send("GET", "/api/geofences/%E0%A4%A");
    expect(malformed.status).toBe(400);
    expect(malformed.json.error).toBe("the request path has malformed percent-encoding");
    expect((await send("GET", "/%E0%A4%A")).status).toBe(400);
    expect(reached).toEqual([]);

    // A raw NUL never reaches a listener: Node's parser refuses it, answered as JSON too.
    const rawNul = await raw("GET /api/geofences/a\0b HTTP/1.1\r\nHost: x\r\n\r\n");
    expect(rawNul).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(rawNul).toContain("content-type: application/json");
    expect(JSON.parse(rawNul.slice(rawNul.indexOf("\r\n\r\n") + 4))).toEqual({
      error: expect.stringMatching(/^bad request: /),
    });
  });

  it("sets the security headers on every answer: pages, API and refusals", async () => {
    for (const answer of [
      await send("GET", "/api/trucks", { host: "fleet.example:3000" }),
      await send("GET", "/", { host: "fleet.example:3000" }),
      await send("POST", "/api/geofences", { "content-type": "text/plain" }, "x"),
    ]) {
      expect(answer.headers).toMatchObject({
        "x-frame-options": "DENY",
        "x-content-type-options": "nosniff",
        "referrer-policy": "strict-origin-when-cross-origin",
        "cross-origin-opener-policy": "same-origin",
      });
      expect(answer.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    }
    const page = await send("GET", "/", { host: "fleet.example:3000" });
    const csp = String(page.headers["content-security-policy"]);
    expect(csp).toContain("img-src 'self' data: blob: https://*.tiles.example.com");
    expect(csp).toContain("connect-src 'self' ws://fleet.example:3000 wss://fleet.example:3000");
    expect(csp).toContain("script-src 'self' 'unsafe-inline';");
  });
});

describe("the content security policy", () => {
  it("allows the tile server's origin as configured, and eval only in dev mode", () => {
    expect(tileSource("https://tile.openstreetmap.org/{z}/{x}/{y}.png")).toBe(
      "https://tile.openstreetmap.org",
    );
    expect(tileSource("http://{s}.tiles.local:8080/{z}/{x}/{y}.png")).toBe(
      "http://*.tiles.local:8080",
    );
    expect(tileSource("https://tiles-{s}.example.com/{z}/{x}/{y}.png")).toBe("https:");
    expect(tileSource("/tiles/{z}/{x}/{y}.png")).toBeUndefined();
    expect(tileSource("none")).toBeUndefined();
    const none = securityHeaders({ tileUrl: "none", dev: true }, "evil\r\nx: y")[
      "content-security-policy"
    ];
    expect(none).toContain("img-src 'self' data: blob:;");
    expect(none).toContain("script-src 'self' 'unsafe-inline' 'unsafe-eval';");
    expect(none).toContain("connect-src 'self';"); // a host that is not a host is left out
  });
});

describe("readJson", () => {
  it("stops reading a 38 MB chunked body past the limit: 413, the rest never pulled", async () => {
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulled >= 38 * 1024 * 1024) return controller.close();
        pulled += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const request = new Request("http://localhost/api/geofences", {
      method: "POST",
      body,
      duplex: "half",
    } as RequestInit);
    const parsed = await readJson(request);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.response.status).toBe(413);
    expect(await parsed.response.json()).toEqual({
      error: "request body exceeds the limit of 1048576 bytes",
    });
    expect(pulled).toBeLessThan(2 * 1024 * 1024);
  });

  it("reads a body up to the limit, and answers 400 for one that is not JSON", async () => {
    const name = "n".repeat(MAX_BODY_BYTES - 11);
    const exact = JSON.stringify({ name });
    expect(Buffer.byteLength(exact)).toBe(MAX_BODY_BYTES);
    const ok = await readJson(new Request("http://x/", { method: "POST", body: exact }));
    expect(ok).toEqual({ ok: true, value: { name } });
    const bad = await readJson(new Request("http://x/", { method: "POST", body: "{" }));
    expect(bad.ok ? 0 : bad.response.status).toBe(400);
  });
});
