import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { hostname } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type ClientToServerEvents,
  DEFAULT_GPS_PARTITIONS,
  type ServerToClientEvents,
  TOPICS,
} from "@fleetstream/contracts";
import type { Database } from "@fleetstream/db";
import type { EventLog, Producer } from "@fleetstream/eventlog";
import type { Logger } from "@fleetstream/service";
import { type AllowList, createWebhookStore, EMPTY_ALLOW_LIST } from "@fleetstream/webhooks";
import next from "next";
import { Server as SocketServer } from "socket.io";
import { setRuntimeConfig } from "../lib/config/runtime-config";
import { createPositionFeed } from "../lib/fleet/position-feed";
import { setGeofenceStore } from "../lib/geofences/runtime";
import { createGeofenceStore } from "../lib/geofences/store";
import { setWebhookStore } from "../lib/webhooks/runtime";

// Plain Node module (run by tsx, not bundled by Next), so no `server-only` marker here.

/** apps/web: where next.config.ts, src/app and the .next build output live. */
export const WEB_APP_DIR = fileURLToPath(new URL("../..", import.meta.url));

export interface WebServerDeps {
  eventLog: EventLog;
  port: number;
  host?: string;
  /** MAP_TILE_URL: a tile URL template or "none". */
  tileUrl: string;
  logger: Logger;
  /** Next.js dev mode (compile on demand, HMR) instead of serving the `next build` output. */
  dev?: boolean;
  /** How often coalesced position updates are pushed to browsers, ms. */
  flushIntervalMs?: number;
  /** GPS_TOPIC_PARTITIONS: partitions of truck_positions, should this instance create it. */
  partitions?: number;
  /**
   * The application database (opened and migrated by the caller). Without it the geofence API
   * answers 503; with it, geofence writes go to PostgreSQL and then to the `geofences` topic.
   */
  db?: Database;
  /** WEBHOOK_ALLOWED_TARGETS: endpoint URLs exempt from the SSRF guard and https (default none). */
  webhookTargets?: AllowList;
}

export interface WebServer {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Base URL, e.g. http://localhost:3000 (the bound port once started, so port 0 works). */
  readonly url: string;
}

/**
 * The dashboard server: Next.js pages and API routes plus socket.io on one HTTP port.
 * Browsers get `fleet:snapshot:v1` on connect, then `fleet:positions:v1` batches (at most one
 * position per truck per flush) built from the truck_positions topic.
 */
export function createWebServer(deps: WebServerDeps): WebServer {
  const { eventLog, tileUrl, dev = false, flushIntervalMs = 300 } = deps;
  const host = deps.host ?? "0.0.0.0";
  const logger = deps.logger.child({ component: "web-server" });

  let handle: ((req: IncomingMessage, res: ServerResponse) => Promise<void>) | undefined;
  const http = createServer((req, res) => {
    if (!handle) {
      res.writeHead(503, { "content-type": "text/plain", "retry-after": "1" }).end("starting\n");
      return;
    }
    handle(req, res).catch((error: unknown) => {
      logger.error({ err: error, url: req.url }, "request failed");
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end("internal error\n");
    });
  });
  // Attach after the request listener: socket.io routes /socket.io/* and passes the rest on.
  const io = new SocketServer<ClientToServerEvents, ServerToClientEvents>(http, {
    serveClient: false,
  });
  const app = next({ dev, dir: WEB_APP_DIR, hostname: host, port: deps.port, httpServer: http });

  const groupId = `web-${hostname()}-${process.pid}-${randomBytes(4).toString("hex")}`;
  const feed = createPositionFeed({
    eventLog,
    logger: deps.logger,
    groupId,
    flushIntervalMs,
    partitions: deps.partitions ?? DEFAULT_GPS_PARTITIONS,
    onFlush: (positions) => io.emit("fleet:positions:v1", positions),
  });
  io.on("connection", (socket) => {
    socket.emit("fleet:snapshot:v1", feed.snapshot());
  });

  let started = false;
  let geofenceProducer: Producer | undefined;
  const displayHost = host === "0.0.0.0" || host === "::" ? "localhost" : host;
  const boundPort = () => (http.address() as AddressInfo | null)?.port ?? deps.port;

  return {
    get url() {
      return `http://${displayHost.includes(":") ? `[${displayHost}]` : displayHost}:${boundPort()}`;
    },

    async start() {
      if (!dev && !existsSync(join(WEB_APP_DIR, ".next", "BUILD_ID"))) {
        throw new Error(
          `no Next.js production build in ${WEB_APP_DIR}.next: run \`npm run build -w @fleetstream/web\` first`,
        );
      }
      setRuntimeConfig({ tileUrl });
      if (deps.db) {
        await eventLog.ensureTopics([TOPICS.geofences]);
        geofenceProducer = eventLog.producer();
        setGeofenceStore(
          createGeofenceStore({ prisma: deps.db.prisma, producer: geofenceProducer }),
        );
        setWebhookStore(
          createWebhookStore({
            prisma: deps.db.prisma,
            allow: deps.webhookTargets ?? EMPTY_ALLOW_LIST,
          }),
        );
      }
      await app.prepare();
      handle = app.getRequestHandler();
      await feed.start();
      started = true;
      await new Promise<void>((resolve, reject) => {
        http.once("error", reject);
        http.listen(deps.port, host, () => {
          http.off("error", reject);
          resolve();
        });
      });
      logger.info({ url: this.url, dev, groupId }, "web server listening");
    },

    async stop() {
      io.disconnectSockets(true);
      if (started) await feed.stop();
      started = false;
      http.closeAllConnections();
      await io.close(); // closes the HTTP server too
      await app.close();
      setGeofenceStore(undefined);
      setWebhookStore(undefined);
      await geofenceProducer?.close();
      geofenceProducer = undefined;
      logger.info("web server stopped");
    },
  };
}
