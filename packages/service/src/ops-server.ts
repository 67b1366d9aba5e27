import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Registry } from "prom-client";
import type { Logger } from "./logger";

/** One readiness check: ok, or why not. */
export interface HealthCheck {
  ok: boolean;
  detail?: string;
}

export interface OpsServerOptions {
  port: number;
  host: string;
  /** Prometheus registry served on /metrics. */
  registry: Registry;
  /** Named checks; /health/ready is 200 only when all are ok. */
  readiness: () => Record<string, HealthCheck>;
  logger: Logger;
}

/** Readiness of a set of checks: ok when every one is. */
export function readinessOf(checks: Record<string, HealthCheck>) {
  const ok = Object.values(checks).every((check) => check.ok);
  return { ok, body: { status: ok ? "ok" : "unavailable", checks } };
}

/**
 * The operations routes: GET /metrics (Prometheus text), /health/live (the process answers) and
 * /health/ready (every check ok: 200, else 503 with the failing ones), JSON bodies. Returns
 * false for any other path, so an app with its own HTTP server (the web app) mounts these
 * in front of its routes.
 */
export function handleOpsRequest(
  options: Pick<OpsServerOptions, "registry" | "readiness">,
  req: IncomingMessage,
  res: ServerResponse,
): boolean {
  const path = (req.url ?? "/").split("?")[0];
  if (path !== "/metrics" && path !== "/health/live" && path !== "/health/ready") return false;
  const json = (status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
    res.end(JSON.stringify(body));
  };
  if (req.method !== "GET") {
    json(405, { error: "only GET is served here" });
  } else if (path === "/metrics") {
    options.registry.metrics().then(
      (text) => {
        res.writeHead(200, { "content-type": options.registry.contentType });
        res.end(text);
      },
      (error: unknown) => json(500, { error: `metrics failed: ${String(error)}` }),
    );
  } else if (path === "/health/live") {
    json(200, { status: "ok" });
  } else {
    const { ok, body } = readinessOf(options.readiness());
    json(ok ? 200 : 503, body);
  }
  return true;
}

/**
 * A small HTTP server with only the operations routes, for an app without its own web server
 * (the processor). Port 0 picks a free port.
 */
export async function startOpsServer(
  options: OpsServerOptions,
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (handleOpsRequest(options, req, res)) return;
    res.writeHead(404, { "content-type": "application/json" });
    res.end(
      JSON.stringify({ error: "no such route; try /metrics, /health/live or /health/ready" }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  const url = `http://${options.host.includes(":") ? `[${options.host}]` : options.host}:${port}`;
  options.logger.info({ url }, "metrics and health endpoints listening");
  return {
    url,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * startOpsServer on `port` when one is configured; unset, on the app's `defaultPort`, or on a
 * free port when another process on the host has it (several processes per host are normal).
 */
export function startOpsServerOn(
  port: number | undefined,
  defaultPort: number,
  options: Omit<OpsServerOptions, "port">,
): ReturnType<typeof startOpsServer> {
  if (port !== undefined) return startOpsServer({ ...options, port });
  return startOpsServer({ ...options, port: defaultPort }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "EADDRINUSE") throw error;
    options.logger.warn({ port: defaultPort }, "metrics port in use: using a free one");
    return startOpsServer({ ...options, port: 0 });
  });
}
