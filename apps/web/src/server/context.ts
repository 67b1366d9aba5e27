import type { AccessApi } from "./http/access";
import type { AlertsApi } from "./http/alerts";
import type { BasemapApi } from "./http/basemap";
import type { GeofenceApi } from "./http/geofences";
import type { ReplayApi } from "./http/replay";
import type { TrucksApi } from "./http/trucks";
import type { WebhookApi } from "./http/webhooks";
import type { WindowsApi } from "./http/windows";

/**
 * The one hand-over from the custom server (src/server, run by tsx) to the Next.js route modules
 * (src/app, bundled by Next) in the same process: the server builds a typed WebContext at start
 * and provides it here; route files look it up per request and call into it. The two module
 * graphs load this file separately, so the value sits on globalThis under a registered symbol;
 * this file imports types only, so nothing of the server is bundled into Next.
 */
export interface WebConfig {
  /** MAP_TILE_URL as configured: a tile URL template or "none". */
  tileUrl: string;
  /** TRUCK_OFFLINE_AFTER_S in ms: no fix for this long = offline. */
  offlineAfterMs: number;
  /** Whether the simulator's road network is drawn under the map (MAP_ROAD_NETWORK). */
  roadNetwork: boolean;
  /** SPEEDING_THRESHOLD_KMH: the line on speed charts. */
  speedingThresholdKmh: number;
}

export interface WebApi {
  /** Readiness: every live feed running (GET /api/health, /health/ready). */
  health: () => { ok: boolean; body: unknown };
  geofences: GeofenceApi;
  alerts: AlertsApi;
  trucks: TrucksApi;
  windows: WindowsApi;
  replay: ReplayApi;
  basemap: BasemapApi;
  webhooks: WebhookApi;
  access: AccessApi;
  /**
   * After a successful write: records it in the audit log when it changes something audited
   * (geofences, webhook endpoints, API keys).
   */
  changed: (request: Request, response: Response, params: Record<string, string>) => Promise<void>;
  /** The answer for an error a handler threw: JSON, 503 while the database is unreachable. */
  failed: (error: unknown, request: Request) => Response;
}

export interface WebContext {
  readonly config: WebConfig;
  readonly api: WebApi;
}

const KEY = Symbol.for("fleetstream.web.context");
type Holder = typeof globalThis & { [KEY]?: WebContext | undefined };

/** Called by the web server at start (and with undefined at stop). One web server per process. */
export function provideWebContext(context: WebContext | undefined): void {
  (globalThis as Holder)[KEY] = context;
}

/** The running server's context; undefined when Next runs without src/server (plain `next`). */
export function webContext(): WebContext | undefined {
  return (globalThis as Holder)[KEY];
}

const UNAVAILABLE = () =>
  Response.json(
    { error: "the API needs the Fleetstream web server (src/server), which is not running" },
    { status: 503, headers: { "cache-control": "no-store" } },
  );

/**
 * A Next.js route handler that calls into the API, e.g.
 * `export const GET = route((api, request, { id }) => api.trucks.get(request, id))`.
 */
export function route<P extends Record<string, string> = Record<string, never>>(
  handle: (api: WebApi, request: Request, params: P) => Response | Promise<Response>,
) {
  return async (request: Request, context: { params: Promise<P> }): Promise<Response> => {
    const ctx = webContext();
    if (!ctx) return UNAVAILABLE();
    try {
      // Routes without dynamic segments have no params at all.
      const params = (await context.params) ?? ({} as P);
      const response = await handle(ctx.api, request, params);
      if (request.method !== "GET" && request.method !== "HEAD" && response.ok) {
        await ctx.api.changed(request, response, params);
      }
      return response;
    } catch (error) {
      // Not left to Next.js, which would answer an empty 500.
      return ctx.api.failed(error, request);
    }
  };
}
