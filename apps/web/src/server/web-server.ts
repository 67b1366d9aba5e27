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
import {
  type HealthCheck,
  handleOpsRequest,
  type Logger,
  readinessOf,
  startDependencyProbe,
} from "@fleetstream/service";
import {
  type AllowList,
  createWebhookStore,
  EMPTY_ALLOW_LIST,
  type WebhookStore,
} from "@fleetstream/webhooks";
import next from "next";
import { Registry } from "prom-client";
import { Server as SocketServer } from "socket.io";
import { DEFAULT_OFFLINE_AFTER_MS } from "../shared/truck-status";
import { type Accounts, createAccounts, ensureFirstAdmin } from "./auth/accounts";
import { type ApiKeyStore, createApiKeyStore } from "./auth/api-keys";
import { type AuditLog, auditEntryFor, createAuditLog } from "./auth/audit";
import { createGate, type Gate } from "./auth/gate";
import { type Principal, principalOf } from "./auth/roles";
import { provideWebContext, type WebContext } from "./context";
import { createAlertsFeed } from "./feeds/alerts";
import { createFlushPacer } from "./feeds/flush-pacer";
import { createGeofencesFeed } from "./feeds/geofences";
import type { LiveFeed } from "./feeds/live-feed";
import { createPositionsFeed } from "./feeds/positions";
import { createWindowsFeed } from "./feeds/windows";
import { createGeofenceStore, type GeofenceStore } from "./geofences/store";
import { accessApi } from "./http/access";
import { alertsApi } from "./http/alerts";
import { basemapApi, type RoadFeature } from "./http/basemap";
import { geofenceApi } from "./http/geofences";
import { replayApi } from "./http/replay";
import { failure } from "./http/respond";
import { trucksApi } from "./http/trucks";
import { webhookApi } from "./http/webhooks";
import { windowsApi } from "./http/windows";
import { answerClientError, createHttpGuard, sendProblem } from "./http-guard";
import { createWebMetrics } from "./metrics";
import { loadAcknowledgements } from "./queries/alerts";
import { WindowsView } from "./views/windows-view";

// Plain Node module (run by tsx, not bundled by Next), so no `server-only` marker here.

/** How often open maps' sessions are checked (a session that ended closes its socket). */
const SESSION_SWEEP_MS = 30_000;

/** The request's path, percent-decoded and normalised; undefined when it cannot be decoded. */
function decodedPath(url: string | undefined): string | undefined {
  try {
    const path = decodeURIComponent(new URL(url ?? "/", "http://localhost").pathname);
    return path.includes("\0") ? undefined : path;
  } catch {
    return undefined;
  }
}

/** apps/web: where next.config.ts, src/app and the .next build output live. */
export const WEB_APP_DIR = fileURLToPath(new URL("../..", import.meta.url));

/** Accounts and sessions (src/server/auth). */
export interface WebAuthSettings {
  /** AUTH_SECRET: signs session cookies (at least 32 characters). */
  secret: string;
  /** PUBLIC_URL: where users reach the dashboard; the only origin writes are accepted from. */
  publicUrl?: string | undefined;
  /** Created as the first admin when the database has no user yet (ADMIN_EMAIL/ADMIN_PASSWORD). */
  firstAdmin: { email: string; password?: string | undefined };
  /** Told the first admin's credentials once, when it was just created (the launcher prints them). */
  onFirstAdmin?: (credentials: { email: string; password: string }) => void;
  /** Sign-in attempts per minute per client address (10). */
  signInPerMinute?: number;
  /** Writes per minute per user or key (300). */
  writesPerMinute?: number;
}

export interface WebServerDeps {
  /** Who may sign in and what they may do; every route and socket event goes through it. */
  auth: WebAuthSettings;
  eventLog: EventLog;
  /**
   * Runs once the port is open and before anything else reads the database or Kafka (main.ts:
   * wait for both, migrate). Meanwhile /health/live answers 200 and everything else 503.
   */
  prepare?: () => Promise<void>;
  port: number;
  host?: string;
  /** MAP_TILE_URL: a tile URL template or "none". */
  tileUrl: string;
  logger: Logger;
  /** Next.js dev mode (compile on demand, HMR) instead of serving the `next build` output. */
  dev?: boolean;
  /**
   * The longest a live change waits before it is pushed to browsers, ms (300): idle, changes go
   * out a few ms after they arrive; under load they coalesce up to this (feeds/flush-pacer.ts).
   */
  flushIntervalMs?: number;
  /** GPS_TOPIC_PARTITIONS: partitions of the topics this instance may create. */
  partitions?: number;
  /**
   * The application database (opened and migrated by the caller). Without it the geofence API
   * and the history endpoints answer 503; with it, geofence writes go to PostgreSQL and then to
   * the `geofences` topic.
   */
  db?: Database;
  /** TRUCK_OFFLINE_AFTER_S in ms (10 min). */
  offlineAfterMs?: number;
  /** MAP_DETAIL_LIMIT: above this many trucks in a browser's area it gets counts per cell. */
  mapDetailLimit?: number;
  /** Draw the simulator's built-in road network under the map (MAP_ROAD_NETWORK=builtin). */
  roadNetwork?: boolean;
  /** SPEEDING_THRESHOLD_KMH, the line on speed charts (90). */
  speedingThresholdKmh?: number;
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
 * The dashboard server: Next.js pages and API routes plus socket.io on one HTTP port. Live data
 * comes from the topics through one feed per channel (src/server/feeds: positions, alerts,
 * geofences, windows), history from PostgreSQL through src/server/queries; the REST handlers
 * (src/server/http) reach the route files through the typed context (src/server/context.ts).
 */
export function createWebServer(deps: WebServerDeps): WebServer {
  const { eventLog, tileUrl, dev = false, flushIntervalMs = 300 } = deps;
  const host = deps.host ?? "0.0.0.0";
  const logger = deps.logger.child({ component: "web-server" });
  const partitions = deps.partitions ?? DEFAULT_GPS_PARTITIONS;
  const offlineAfterMs = deps.offlineAfterMs ?? DEFAULT_OFFLINE_AFTER_MS;

  let handle: ((req: IncomingMessage, res: ServerResponse) => Promise<void>) | undefined;
  const registry = new Registry();
  const guard = createHttpGuard({ tileUrl, dev });
  const http = createServer((req, res) => {
    if (guard(req, res)) return;
    const ops = { registry, readiness };
    // Health is open (load balancers, orchestrators); /metrics goes through the gate below.
    if (req.url?.startsWith("/health/") && handleOpsRequest(ops, req, res)) return;
    const serve = handle;
    if (!serve || !gate) {
      sendProblem(res, 503, "starting", { "retry-after": "1" });
      return;
    }
    // The guard refused undecodable paths already; this is the path the access table reads.
    const path = decodedPath(req.url);
    if (path === undefined) {
      sendProblem(res, 400, "malformed request path");
      return;
    }
    gate
      .handle(req, res, path)
      .then((answered) => {
        if (answered || (path === "/metrics" && handleOpsRequest(ops, req, res))) return;
        return serve(req, res);
      })
      .catch((error: unknown) => {
        logger.error({ err: error, url: req.url }, "request failed");
        sendProblem(res, 500, "internal error");
      });
  });
  http.on("clientError", answerClientError);
  // Attach after the request listener: socket.io routes /socket.io/* and passes the rest on.
  const io = new SocketServer<ClientToServerEvents, ServerToClientEvents>(http, {
    serveClient: false,
  });
  let gate: Gate | undefined;
  let accounts: Accounts | undefined;
  let apiKeys: ApiKeyStore | undefined;
  let auditLog: AuditLog | undefined;
  const dropSockets = (room: string) => io.in(room).disconnectSockets(true);

  // No connection without credentials: a session cookie from this site, or an API key
  // (`auth: { token }` in the socket.io client). Refused before any feed sends a snapshot.
  io.use((socket, next) => {
    const { headers, auth } = socket.handshake;
    if (!gate || !started) return next(new Error("starting"));
    if (!gate.originAllowed(headers.origin, headers.host)) {
      return next(new Error(`origin ${headers.origin} is not allowed`));
    }
    const token = typeof auth?.token === "string" ? auth.token : undefined;
    gate
      .principalOf(headers, token)
      .then((principal) => {
        if (!principal) return next(new Error("unauthorized: sign in or send an API key"));
        socket.data.principal = principal;
        // Rooms to drop this connection by: its user or key, and its session.
        void socket.join(`${principal.kind}:${principal.id}`);
        if (principal.sessionId) void socket.join(`session:${principal.sessionId}`);
        next();
      })
      .catch((error: unknown) => next(error instanceof Error ? error : new Error(String(error))));
  });
  const app = next({ dev, dir: WEB_APP_DIR, hostname: host, port: deps.port, httpServer: http });

  // Names this instance in logs (every instance reads every topic whole, without a group).
  const instance = `web-${hostname()}-${process.pid}-${randomBytes(4).toString("hex")}`;
  // Pushes what the feeds gathered: soon after it arrives when idle, coalesced under load. The
  // map's positions are paced on their own: a minute's close makes the windows' push costly
  // (a change for nearly every truck), and its gap then held the positions back too.
  const pushFeeds = (list: readonly LiveFeed[]) => {
    const began = performance.now();
    for (const feed of list) feed.flush(io);
    metrics.flushed((performance.now() - began) / 1000);
  };
  const positionsPacer = createFlushPacer({
    maxGapMs: flushIntervalMs,
    flush: () => pushFeeds([positions]),
  });
  const panelsPacer = createFlushPacer({
    maxGapMs: flushIntervalMs,
    flush: () => pushFeeds([geofences, alerts, windows]),
  });
  const feedOptions = { eventLog, logger: deps.logger, partitions, onChange: panelsPacer.changed };
  const positions = createPositionsFeed({
    ...feedOptions,
    onChange: positionsPacer.changed,
    onPushed: (pushed, at) => metrics.positionsPushed(pushed, at),
    ...(deps.mapDetailLimit ? { streams: { detailLimit: deps.mapDetailLimit } } : {}),
  });
  const alerts = createAlertsFeed({
    ...feedOptions,
    ...(deps.db
      ? { loadAcknowledgements: (ids: string[]) => loadAcknowledgements(prisma(), ids) }
      : {}),
  });
  const geofences = createGeofencesFeed({
    ...feedOptions,
    onFenceGone: (id) => alerts.view.dropFence(id),
  });
  const windows = createWindowsFeed({ ...feedOptions, view: new WindowsView() });
  const feeds: LiveFeed[] = [geofences, positions, alerts, windows];
  const metrics = createWebMetrics(registry, {
    feeds,
    sockets: () => io.engine.clientsCount,
    trucks: () => positions.view.size,
    flushGapMs: () => positionsPacer.gapMs,
  });

  /**
   * Ready while every feed's reader runs (a stopped one means a channel no longer updates) and
   * the database and Kafka answer (asked every few seconds).
   */
  function readiness(): Record<string, HealthCheck> {
    // Not before start() has finished: a feed whose reader is still joining reports no
    // failure yet, and sockets are refused until then.
    if (!handle || !started) return { server: { ok: false, detail: "starting" } };
    return {
      ...probe?.health(),
      ...Object.fromEntries(feeds.map((feed) => [`feed:${feed.name}`, feed.health()])),
    };
  }
  let probe: ReturnType<typeof startDependencyProbe> | undefined;

  let geofenceStore: GeofenceStore | undefined;
  let webhookStore: WebhookStore | undefined;
  const prisma = () => {
    if (!deps.db) throw new Error("no database");
    return deps.db.prisma;
  };
  const maybePrisma = () => deps.db?.prisma;

  /** A thrown error as a JSON answer; an unreachable database is logged at most once a minute. */
  let databaseDownLoggedAt = Number.NEGATIVE_INFINITY;
  function failed(error: unknown, request: Request): Response {
    const response = failure(error);
    if (response.status !== 503) logger.error({ err: error, url: request.url }, "request failed");
    else if (Date.now() - databaseDownLoggedAt > 60_000) {
      databaseDownLoggedAt = Date.now();
      logger.warn({ err: error }, "database unreachable: the API answers 503");
    }
    return response;
  }

  let roads: Promise<RoadFeature[] | null> | undefined;
  const loadRoads = () => {
    if (!deps.roadNetwork) return Promise.resolve(null);
    roads ??= import("@fleetstream/simulator").then(({ builtInRoadNetwork }) =>
      builtInRoadNetwork().map((road) => ({
        type: "Feature" as const,
        properties: { ref: road.ref, roadClass: road.roadClass },
        geometry: {
          type: "LineString" as const,
          coordinates: road.points.map(
            ([lon, lat]) =>
              [Math.round(lon * 1e5) / 1e5, Math.round(lat * 1e5) / 1e5] as [number, number],
          ),
        },
      })),
    );
    return roads;
  };

  const context: WebContext = {
    config: {
      tileUrl,
      offlineAfterMs,
      roadNetwork: deps.roadNetwork ?? false,
      speedingThresholdKmh: deps.speedingThresholdKmh ?? 90,
    },
    api: {
      health: () => readinessOf(readiness()),
      geofences: geofenceApi(() => geofenceStore),
      alerts: alertsApi({ prisma: maybePrisma, feed: alerts }),
      trucks: trucksApi({ prisma: maybePrisma, positions, alerts, windows, offlineAfterMs }),
      windows: windowsApi({ prisma: maybePrisma, windows, geofences }),
      replay: replayApi({ prisma: maybePrisma }),
      basemap: basemapApi({ roads: loadRoads }),
      webhooks: webhookApi(() => webhookStore),
      access: accessApi({ apiKeys: () => apiKeys, audit: () => auditLog, dropSockets }),
      async changed(request, response, params) {
        const principal = principalOf(request);
        if (!principal || !auditLog) return;
        const path = new URL(request.url).pathname;
        const body: unknown =
          response.status === 204
            ? null
            : await response
                .clone()
                .json()
                .catch(() => null);
        const entry = auditEntryFor(request.method, path, params, body);
        // The change is done: a failed audit write is logged loudly, not turned into an error.
        if (entry) {
          await auditLog.record(principal, entry).catch((error: unknown) => {
            logger.error({ err: error, entry, actor: principal.label }, "audit log write failed");
          });
        }
      },
      failed,
    },
  };

  io.on("connection", (socket) => {
    for (const feed of feeds) {
      Promise.resolve(feed.connect(socket)).catch((error: unknown) =>
        logger.warn({ err: error, feed: feed.name }, "could not bring a browser up to date"),
      );
    }
  });

  let sessionSweep: NodeJS.Timeout | undefined;
  let started = false;

  /** Open maps of sessions that ended (signed out elsewhere, expired, user removed) are closed. */
  async function dropEndedSessions(prisma: NonNullable<WebServerDeps["db"]>["prisma"]) {
    const sessions = new Set<string>();
    for (const socket of await io.fetchSockets()) {
      const principal = socket.data.principal as Principal | undefined;
      if (principal?.sessionId) sessions.add(principal.sessionId);
    }
    if (sessions.size === 0) return;
    try {
      const live = await prisma.session.findMany({
        where: { id: { in: [...sessions] }, expiresAt: { gt: new Date() } },
        select: { id: true },
      });
      const alive = new Set(live.map((row) => row.id));
      for (const id of sessions) if (!alive.has(id)) dropSockets(`session:${id}`);
    } catch (error) {
      logger.warn({ err: error }, "could not check the sessions of open maps");
    }
  }
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
      // Listening first: while the database or Kafka is still away, health checks get answers
      // (live 200, ready 503) and pages a 503 "starting" instead of a refused connection.
      await new Promise<void>((resolve, reject) => {
        http.once("error", reject);
        http.listen(deps.port, host, () => {
          http.off("error", reject);
          resolve();
        });
      });
      logger.info({ url: this.url, dev, instance }, "web server listening");
      await deps.prepare?.();
      if (deps.db) {
        const { prisma } = deps.db;
        accounts = createAccounts({
          prisma,
          secret: deps.auth.secret,
          logger,
          ...(deps.auth.publicUrl ? { publicUrl: deps.auth.publicUrl } : {}),
        });
        apiKeys = createApiKeyStore(prisma);
        auditLog = createAuditLog(prisma);
        gate = createGate({
          accounts,
          apiKeys,
          audit: auditLog,
          publicUrl: deps.auth.publicUrl,
          ...(deps.auth.signInPerMinute ? { signInPerMinute: deps.auth.signInPerMinute } : {}),
          ...(deps.auth.writesPerMinute ? { writesPerMinute: deps.auth.writesPerMinute } : {}),
          dropSockets,
        });
        const created = await ensureFirstAdmin(accounts, prisma, deps.auth.firstAdmin);
        if (created) {
          if (deps.auth.onFirstAdmin) deps.auth.onFirstAdmin(created);
          else logger.warn({ email: created.email }, "created the first admin account");
        }
        sessionSweep = setInterval(() => void dropEndedSessions(prisma), SESSION_SWEEP_MS);
        sessionSweep.unref();
        await eventLog.ensureTopics([TOPICS.geofences]);
        geofenceProducer = eventLog.producer();
        geofenceStore = createGeofenceStore({ prisma: deps.db.prisma, producer: geofenceProducer });
        webhookStore = createWebhookStore({
          prisma: deps.db.prisma,
          allow: deps.webhookTargets ?? EMPTY_ALLOW_LIST,
        });
      }
      provideWebContext(context);
      await app.prepare();
      handle = app.getRequestHandler();
      for (const feed of feeds) await feed.start();
      const db = deps.db;
      probe = startDependencyProbe({
        checks: {
          ...(db ? { database: () => db.sql.query("SELECT 1") } : {}),
          kafka: () => eventLog.ensureTopics([]),
        },
        log: logger,
      });
      await probe.checked;
      // Before ready: decoding them blocks the server for a second, which no page should wait on.
      await context.api.basemap.preload();
      started = true;
      positionsPacer.start();
      panelsPacer.start();
      logger.info({ url: this.url, dev, instance }, "web server ready");
    },

    async stop() {
      probe?.stop();
      if (sessionSweep) clearInterval(sessionSweep);
      sessionSweep = undefined;
      positionsPacer.stop();
      panelsPacer.stop();
      io.disconnectSockets(true);
      if (started) for (const feed of feeds) await feed.stop();
      started = false;
      http.closeAllConnections();
      await io.close(); // closes the HTTP server too
      await app.close();
      provideWebContext(undefined);
      geofenceStore = undefined;
      webhookStore = undefined;
      await geofenceProducer?.close();
      geofenceProducer = undefined;
      logger.info("web server stopped");
    },
  };
}
