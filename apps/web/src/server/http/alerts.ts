import { AcknowledgeInput, type AlertAcknowledgement } from "@fleetstream/contracts";
import type { PrismaClient } from "@fleetstream/db";
import { z } from "zod";
import type { AlertsFeed } from "../feeds/alerts";
import {
  acknowledgeAlert,
  decodeCursor,
  encodeCursor,
  findAlert,
  listAlerts,
} from "../queries/alerts";
import {
  AlertKinds,
  BooleanText,
  checkRange,
  GeofenceIds,
  Instant,
  Limit,
  TruckIds,
} from "./params";
import { json, notFound, parseBody, parseQuery, requireDatabase } from "./respond";

const Cursor = z.string().transform((text, ctx) => {
  const cursor = decodeCursor(text);
  if (!cursor) {
    ctx.addIssue({ code: "custom", message: "not a cursor this endpoint returned" });
    return z.NEVER;
  }
  return cursor;
});

/** GET /api/alerts query: filters, then a cursor from the previous page's `next`. */
export const AlertQuery = checkRange(
  z.strictObject({
    type: AlertKinds.optional(),
    truck: TruckIds(100).optional(),
    fence: GeofenceIds(100).optional(),
    tag: z.string().trim().min(1).max(64).optional(),
    acknowledged: BooleanText.optional(),
    from: Instant.optional(),
    to: Instant.optional(),
    before: Cursor.optional(),
    limit: Limit(500, 50),
  }),
  366 * 24 * 3_600_000,
);

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
        { before: q.before, limit: q.limit },
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
      const body = await parseBody(request, AcknowledgeInput, "acknowledgement");
      if (!body.ok) return body.response;
      const prisma = database();
      if (prisma instanceof Response) return prisma;
      const known = deps.feed.view.get(id) ?? (await findAlert(prisma, id));
      if (!known) return notFound("alert", id);
      const ack: AlertAcknowledgement = await acknowledgeAlert(prisma, {
        alertId: id,
        by: body.value.by,
        at: now(),
      });
      deps.feed.acknowledged(ack);
      return json(ack);
    },
  };
}
