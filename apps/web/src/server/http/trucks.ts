import { RangeQuery, TruckId, TruckListQuery, type TruckPosition } from "@fleetstream/contracts";
import type { PrismaClient } from "@fleetstream/db";
import { lastHeardAt, truckStatus } from "../../shared/truck-status";
import { mergeWindows } from "../../shared/windows";
import type { AlertsFeed } from "../feeds/alerts";
import type { PositionsFeed } from "../feeds/positions";
import type { WindowsFeed } from "../feeds/windows";
import { listAlerts } from "../queries/alerts";
import { truckTrail } from "../queries/fixes";
import { truckWindows } from "../queries/windows";
import { json, notFound, parseQuery, requireDatabase } from "./respond";

const HOUR_MS = 3_600_000;

export interface TrucksApiDeps {
  prisma: () => PrismaClient | undefined;
  positions: PositionsFeed;
  alerts: AlertsFeed;
  windows: WindowsFeed;
  offlineAfterMs: number;
  now?: () => number;
}

export type TrucksApi = ReturnType<typeof trucksApi>;

/** The range to answer: the query's, or the `span` before the truck's latest fix. */
export function resolveRange(
  query: { from?: number | undefined; to?: number | undefined },
  latestEventTime: number,
  span: number,
): { from: number; to: number } {
  const to = query.to ?? (query.from !== undefined ? query.from + span : latestEventTime + 1);
  return { from: query.from ?? to - span, to };
}

export function trucksApi(deps: TrucksApiDeps) {
  const now = deps.now ?? Date.now;
  const database = () => requireDatabase(deps.prisma(), "truck history");

  /** The latest position: the live view's, else the trucks table's (a truck seen before). */
  async function latest(prisma: PrismaClient, id: string): Promise<TruckPosition | undefined> {
    const live = deps.positions.view.get(id);
    if (live) return live;
    if (!TruckId.safeParse(id).success) return undefined;
    const row = await prisma.truck.findUnique({ where: { id } });
    if (!row) return undefined;
    return {
      truckId: row.id,
      seq: Number(row.seq),
      lat: row.lat,
      lon: row.lon,
      speedKmh: row.speedKmh,
      headingDeg: row.headingDeg,
      eventTime: row.eventTime.getTime(),
      processedAt: row.updatedAt.getTime(),
    };
  }

  /** The range query, the database and the truck (400, 503, 404 otherwise). */
  async function truckAndRange(
    request: Request,
    id: string,
  ): Promise<Response | { prisma: PrismaClient; range: { from: number; to: number } }> {
    const query = parseQuery(request, RangeQuery);
    if (!query.ok) return query.response;
    const prisma = database();
    if (prisma instanceof Response) return prisma;
    const position = await latest(prisma, id);
    if (!position) return notFound("truck", id);
    return { prisma, range: resolveRange(query.value, position.eventTime, HOUR_MS) };
  }

  const withStatus = (p: TruckPosition, at: number) => ({
    ...p,
    status: truckStatus(p, at, deps.offlineAfterMs),
    lastHeardAt: lastHeardAt(p),
  });

  return {
    /** GET /api/trucks?search=&status=&sort=id|speed|age&limit= (the live fleet). */
    list(request: Request): Response {
      const query = parseQuery(request, TruckListQuery);
      if (!query.ok) return query.response;
      const { search, status, sort, limit } = query.value;
      const at = now();
      const needle = search?.toLowerCase();
      let trucks = deps.positions.view
        .snapshot()
        .filter((p) => !needle || p.truckId.toLowerCase().includes(needle))
        .map((p) => withStatus(p, at))
        .filter((t) => !status || t.status === status);
      if (sort === "speed") trucks = trucks.sort((a, b) => b.speedKmh - a.speedKmh);
      if (sort === "age") trucks = trucks.sort((a, b) => a.lastHeardAt - b.lastHeardAt);
      return json({
        total: trucks.length,
        trucks: trucks.slice(0, limit),
        offlineAfterMs: deps.offlineAfterMs,
      });
    },

    /** GET /api/trucks/:id: latest fix with status, fences it is inside, its recent alerts. */
    async get(_request: Request, id: string): Promise<Response> {
      const prisma = database();
      if (prisma instanceof Response) return prisma;
      const position = await latest(prisma, id);
      if (!position) return notFound("truck", id);
      const history = await listAlerts(prisma, { truckIds: [id] }, { limit: 20 });
      const live = deps.alerts.view.recent().filter((a) => a.truckId === id);
      const byId = new Map([...history.alerts, ...live].map((a) => [a.id, a]));
      const recentAlerts = [...byId.values()]
        .sort((a, b) => b.eventTime - a.eventTime)
        .slice(0, 20);
      return json({
        truck: withStatus(position, now()),
        insideGeofences: deps.alerts.view.fencesOf(id),
        recentAlerts,
      });
    },

    /** GET /api/trucks/:id/trail?from=&to= (default: the hour before its latest fix). */
    async trail(request: Request, id: string): Promise<Response> {
      const found = await truckAndRange(request, id);
      if (found instanceof Response) return found;
      const { prisma, range } = found;
      const trail = await truckTrail(prisma, id, range.from, range.to, 10_000);
      return json({ ...range, ...trail });
    },

    /** GET /api/trucks/:id/windows?from=&to=: tumbling windows, stored and live. */
    async windows(request: Request, id: string): Promise<Response> {
      const found = await truckAndRange(request, id);
      if (found instanceof Response) return found;
      const { prisma, range } = found;
      const stored = await truckWindows(prisma, id, range.from, range.to);
      const live = deps.windows.view
        .truck(id)
        .filter((w) => w.windowStart >= range.from && w.windowStart < range.to);
      return json({ ...range, truckId: id, windows: mergeWindows(stored, live) });
    },
  };
}
