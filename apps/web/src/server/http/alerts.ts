import { AcknowledgeInput, type AlertAcknowledgement, AlertQuery } from "@fleetstream/contracts";
import type { PrismaClient } from "@fleetstream/db";
import { principalOf } from "../auth/roles";
import type { AlertsFeed } from "../feeds/alerts";
import {
  acknowledgeAlert,
  decodeCursor,
  encodeCursor,
  findAlert,
  listAlerts,
} from "../queries/alerts";
import { json, notFound, parseBody, parseQuery, problem, requireDatabase } from "./respond";

export interface AlertsApiDeps {
  prisma: () => PrismaClient | undefined;
  feed: AlertsFeed;
  now?: () => number;
}

export type AlertsApi = ReturnType<typeof alertsApi>;

export function alertsApi(deps: AlertsApiDeps) {
  const now = deps.now ?? Date.now;
  const database = () => requireDatabase(deps.prisma(), "alert history");

  return {
    /** GET /api/alerts?type=&truck=&fence=&tag=&acknowledged=&from=&to=&before=&limit= */
    async list(request: Request): Promise<Response> {
      const query = parseQuery(request, AlertQuery);
      if (!query.ok) return query.response;
      const prisma = database();
      if (prisma instanceof Response) return prisma;
      const q = query.value;
      const before = q.before === undefined ? undefined : decodeCursor(q.before);
      if (q.before !== undefined && !before) {
        return problem("invalid", "invalid query: before: not a cursor this endpoint returned", [
          "before: not a cursor this endpoint returned",
        ]);
      }
      const page = await listAlerts(
        prisma,
        {
          kinds: q.type,
          truckIds: q.truck,
          geofenceIds: q.fence,
          tag: q.tag,
          acknowledged: q.acknowledged,
          from: q.from,
          to: q.to,
        },
        { before, limit: q.limit },
      );
      return json({ alerts: page.alerts, next: page.next ? encodeCursor(page.next) : null });
    },

    /** GET /api/alerts/:id */
    async get(_request: Request, id: string): Promise<Response> {
      const prisma = database();
      if (prisma instanceof Response) return prisma;
      const stored = await findAlert(prisma, id);
      if (stored) return json(stored);
      const live = deps.feed.view.get(id);
      return live ? json(live) : notFound("alert", id);
    },

    /**
     * POST /api/alerts/:id/acknowledgement {"by": "name"} → the acknowledgement in force (the
     * first one wins). The alert may be one seen on the topic and not stored yet.
     */
    async acknowledge(request: Request, id: string): Promise<Response> {
      // The acknowledgement is the caller's (the gate always names one); "by" only without one.
      const body = await parseBody(request, AcknowledgeInput, "acknowledgement");
      if (!body.ok) return body.response;
      const prisma = database();
      if (prisma instanceof Response) return prisma;
      const known = deps.feed.view.get(id) ?? (await findAlert(prisma, id));
      if (!known) return notFound("alert", id);
      const ack: AlertAcknowledgement = await acknowledgeAlert(prisma, {
        alertId: id,
        by: principalOf(request)?.label ?? body.value.by ?? "unknown",
        at: now(),
      });
      deps.feed.acknowledged(ack);
      return json(ack);
    },
  };
}
