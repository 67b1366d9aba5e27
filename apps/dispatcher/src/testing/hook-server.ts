import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

// A programmable webhook receiver for tests (not a test file itself): records every request,
// verifies it with the reference `standardwebhooks` verifier when it knows the secret, and
// answers what `respond` says: a status, a hang (never answers), or a dropped connection.

export interface HookRequest {
  id: string;
  body: string;
  headers: IncomingHttpHeaders;
  /** Whether the reference verifier accepted it (false without a secret). */
  verified: boolean;
  receivedAt: number;
}

export type Answer =
  | number
  | { status: number; headers?: Record<string, string>; body?: string }
  | "hang";

export interface HookServer {
  readonly url: string;
  readonly port: number;
  readonly requests: HookRequest[];
  /** TCP connections accepted so far. */
  readonly connections: number;
  /** Requests being held ("hang") right now. */
  readonly held: number;
  secret: string | undefined;
  respond: (request: HookRequest) => Answer;
  /** Answers every held request with `status` and stops holding new ones. */
  release(status?: number): void;
  stop(): Promise<void>;
}

export async function startHookServer(
  options: { secret?: string; respond?: (request: HookRequest) => Answer; port?: number } = {},
): Promise<HookServer> {
  const held = new Set<ServerResponse>();
  let connections = 0;
  let releasedWith: number | undefined;
  const state = {
    secret: options.secret,
    respond: options.respond ?? ((): Answer => 204),
    requests: [] as HookRequest[],
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      let verified = false;
      if (state.secret) {
        try {
          new Webhook(state.secret).verify(body, req.headers as Record<string, string>);
          verified = true;
        } catch {
          verified = false;
        }
      }
      const request: HookRequest = {
        id: String(req.headers["webhook-id"] ?? ""),
        body,
        headers: req.headers,
        verified,
        receivedAt: Date.now(),
      };
      state.requests.push(request);
      const answer = releasedWith ?? state.respond(request);
      if (answer === "hang") {
        held.add(res);
        res.on("close", () => held.delete(res));
        return;
      }
      const {
        status,
        headers,
        body: text,
      } = typeof answer === "number" ? { status: answer, headers: {}, body: "" } : answer;
      res.writeHead(status, headers).end(text);
    });
  });
  server.on("connection", () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    port,
    get requests() {
      return state.requests;
    },
    get connections() {
      return connections;
    },
    get held() {
      return held.size;
    },
    get secret() {
      return state.secret;
    },
    set secret(value) {
      state.secret = value;
    },
    get respond() {
      return state.respond;
    },
    set respond(value) {
      state.respond = value;
    },
    release(status = 204) {
      releasedWith = status;
      for (const res of held) res.writeHead(status).end();
      held.clear();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const res of held) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
