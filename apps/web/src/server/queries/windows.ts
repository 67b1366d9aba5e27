import type { ScopeSpeedWindow, ScopeType, TruckSpeedWindow } from "@fleetstream/contracts";
import type { PrismaClient } from "@fleetstream/db";

// Speed window history (truck_speed_windows, scope_speed_windows; written by the processor).

/** A truck's tumbling windows starting in [from, to), oldest first (primary key range scan). */
export async function truckWindows(
  prisma: PrismaClient,
  truckId: string,
  from: number,
  to: number,
): Promise<TruckSpeedWindow[]> {
  const rows = await prisma.truckSpeedWindow.findMany({
    where: { truckId, kind: "tumbling", windowStart: { gte: new Date(from), lt: new Date(to) } },
    orderBy: { windowStart: "asc" },
    take: 10_000,
  });
  return rows.map((r) => ({
    v: 1,
    truckId: r.truckId,
    kind: "tumbling",
    windowStart: r.windowStart.getTime(),
    windowEnd: r.windowEnd.getTime(),
    sizeMs: r.sizeMs,
    final: r.final,
    fixCount: r.fixCount,
    avgSpeedKmh: r.avgSpeedKmh,
    maxSpeedKmh: r.maxSpeedKmh,
    speedingCount: r.speedingCount,
    distanceM: r.distanceM,
  }));
}

/** Fleet ("fleet", "fleet") or one geofence's windows starting in [from, to), oldest first. */
export async function scopeWindows(
  prisma: PrismaClient,
  scopeType: ScopeType,
  scopeId: string,
  from: number,
  to: number,
): Promise<ScopeSpeedWindow[]> {
  const rows = await prisma.scopeSpeedWindow.findMany({
    where: { scopeType, scopeId, windowStart: { gte: new Date(from), lt: new Date(to) } },
    orderBy: { windowStart: "asc" },
    take: 10_000,
  });
  return rows.map((r) => ({
    v: 1,
    scopeType: r.scopeType as ScopeType,
    scopeId: r.scopeId,
    windowStart: r.windowStart.getTime(),
    windowEnd: r.windowEnd.getTime(),
    sizeMs: r.sizeMs,
    final: r.final,
    activeTrucks: r.activeTrucks,
    speedingTrucks: r.speedingTrucks,
    fixCount: r.fixCount,
    avgSpeedKmh: r.avgSpeedKmh,
  }));
}
