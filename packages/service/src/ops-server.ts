import { createServer, type Server } from "node:http";
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

/**
 * A small HTTP server for operations on an app without its own web server (the processor):
 * GET /metrics (Prometheus text), /health/live (the process answers) and /health/ready (every
 * check ok: 200, else 503 with the failing ones), JSON bodies. Port 0 picks a free port.
 */
export async function startOpsServer(
  options: OpsServerOptions,
): Promise<{ url: string; close(): Promise<void> }> {
  const { registry, readiness } = options;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.method !== "GET") return json(405, { error: "only GET is served here" });
    if (path === "/metrics") {
      registry.metrics().then(
        (text) => {
          res.writeHead(200, { "content-type": registry.contentType });
          res.end(text);
        },
        (error: unknown) => json(500, { error: `metrics failed: ${String(error)}` }),
      );
      return;
    }
    if (path === "/health/live") return json(200, { status: "ok" });
    if (path === "/health/ready") {
      const checks = readiness();
      const ok = Object.values(checks).every((check) => check.ok);
      return json(ok ? 200 : 503, { status: ok ? "ok" : "unavailable", checks });
    }
    json(404, { error: `no route ${path}; try /metrics, /health/live or /health/ready` });
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
