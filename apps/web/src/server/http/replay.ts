import { ReplayQuery } from "@fleetstream/contracts";
import type { PrismaClient } from "@fleetstream/db";
import { listAlerts } from "../queries/alerts";
import { knownTrucks, trails } from "../queries/fixes";
import { json, parseQuery, problem, requireDatabase } from "./respond";

/** Most fixes per truck (a day at one fix per 20 s is 4,320). */
export const REPLAY_MAX_FIXES = 20_000;

export type ReplayApi = ReturnType<typeof replayApi>;

export function replayApi(deps: { prisma: () => PrismaClient | undefined }) {
  return {
    /**
     * GET /api/replay?trucks=T-1,T-2&from=&to=: each truck's fixes in [from, to) in event-time
     * order and their alerts in the range, oldest first. 404 names a truck the database never saw.
     */
    async get(request: Request): Promise<Response> {
      const query = parseQuery(request, ReplayQuery);
      if (!query.ok) return query.response;
      const prisma = requireDatabase(deps.prisma(), "replay");
      if (prisma instanceof Response) return prisma;
      const { trucks, from, to } = query.value;
      const known = await knownTrucks(prisma, trucks);
      const unknown = trucks.find((id: string) => !known.has(id));
      if (unknown)
        return problem("not_found", `truck ${JSON.stringify(unknown)} not found`, [
          `trucks: unknown truck ${unknown}`,
        ]);
      const [fixes, alerts] = await Promise.all([
        trails(prisma, trucks, from, to, REPLAY_MAX_FIXES),
        listAlerts(prisma, { truckIds: trucks, from, to }, { limit: 1_000 }),
      ]);
      return json({ from, to, trucks: fixes, alerts: alerts.alerts.reverse() });
    },
  };
}
