import { RangeQuery } from "@fleetstream/contracts";
import type { PrismaClient } from "@fleetstream/db";
import { mergeWindows } from "../../shared/windows";
import type { GeofencesFeed } from "../feeds/geofences";
import type { WindowsFeed } from "../feeds/windows";
import { scopeWindows } from "../queries/windows";
import { json, notFound, parseQuery, requireDatabase } from "./respond";
import { resolveRange } from "./trucks";

const HOUR_MS = 3_600_000;

export interface WindowsApiDeps {
  prisma: () => PrismaClient | undefined;
  windows: WindowsFeed;
  geofences: GeofencesFeed;
  now?: () => number;
}

export type WindowsApi = ReturnType<typeof windowsApi>;

export function windowsApi(deps: WindowsApiDeps) {
  const now = deps.now ?? Date.now;
  const database = () => requireDatabase(deps.prisma(), "window history");

  return {
    /** GET /api/windows/fleet?from=&to= (default: the hour before the newest fleet window). */
    async fleet(request: Request): Promise<Response> {
      const query = parseQuery(request, RangeQuery);
      if (!query.ok) return query.response;
      const prisma = database();
      if (prisma instanceof Response) return prisma;
      const live = deps.windows.view.fleet();
      const newest = live[live.length - 1]?.windowEnd ?? now();
      const range = resolveRange(query.value, newest, HOUR_MS);
      const stored = await scopeWindows(prisma, "fleet", "fleet", range.from, range.to);
      const maxByStart = new Map(live.map((w) => [w.windowStart, w.maxSpeedKmh]));
      const windows = mergeWindows(
        stored.map((w) => ({ ...w, maxSpeedKmh: maxByStart.get(w.windowStart) ?? null })),
        live.filter((w) => w.windowStart >= range.from && w.windowStart < range.to),
      );
      return json({ ...range, windows });
    },

    /** GET /api/geofences/:id/windows?from=&to= */
    async geofence(request: Request, id: string): Promise<Response> {
      const query = parseQuery(request, RangeQuery);
      if (!query.ok) return query.response;
      const prisma = database();
      if (prisma instanceof Response) return prisma;
      const fence =
        deps.geofences.get(id) ??
        (await prisma.geofence.findUnique({ where: { id } }).catch(() => null));
      if (!fence) return notFound("geofence", id);
      const live = deps.windows.view.geofence(id);
      const newest = live[live.length - 1]?.windowEnd ?? now();
      const range = resolveRange(query.value, newest, HOUR_MS);
      const stored = await scopeWindows(prisma, "geofence", id, range.from, range.to);
      const windows = mergeWindows(
        stored,
        live.filter((w) => w.windowStart >= range.from && w.windowStart < range.to),
      );
      return json({ ...range, geofenceId: id, windows });
    },
  };
}
