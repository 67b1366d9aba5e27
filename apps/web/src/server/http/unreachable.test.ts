import { createServer } from "node:net";
import { type Database, openDatabase } from "@fleetstream/db";
import { InMemoryEventLog } from "@fleetstream/eventlog";
import { createLogger } from "@fleetstream/service";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { provideWebContext, route, type WebApi } from "../context";
import { createAlertsFeed } from "../feeds/alerts";
import { createPositionsFeed } from "../feeds/positions";
import { createWindowsFeed } from "../feeds/windows";
import { WindowsView } from "../views/windows-view";
import { alertsApi } from "./alerts";
import { failure } from "./respond";
import { trucksApi } from "./trucks";

// The REST API with PostgreSQL stopped (a port nothing listens on): 503 with a JSON body the
// dashboard can show, never Next.js's empty 500.

let db: Database;

beforeAll(async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  db = await openDatabase({ url: `postgresql://postgres@127.0.0.1:${port}/fleetstream` });
  const eventLog = new InMemoryEventLog();
  const options = { eventLog, logger: createLogger("test", "silent"), partitions: 1 };
  const alerts = createAlertsFeed(options);
  const positions = createPositionsFeed(options);
  const windows = createWindowsFeed({ ...options, view: new WindowsView() });
  const prisma = () => db.prisma;
  provideWebContext({
    config: {
      tileUrl: "none",
      offlineAfterMs: 600_000,
      roadNetwork: false,
      speedingThresholdKmh: 90,
    },
    api: {
      alerts: alertsApi({ prisma, feed: alerts }),
      trucks: trucksApi({ prisma, positions, alerts, windows, offlineAfterMs: 600_000 }),
      failed: (error: unknown) => failure(error),
    } as unknown as WebApi,
  });
});

afterAll(async () => {
  provideWebContext(undefined);
  await db.close();
});

const call = <P extends Record<string, string>>(
  handler: ReturnType<typeof route<P>>,
  path: string,
  params = {} as P,
) => handler(new Request(`http://test${path}`), { params: Promise.resolve(params) });

describe("the REST API while the database is unreachable", () => {
  it("answers 503 with a JSON error", async () => {
    const responses = [
      await call(
        route((api, request) => api.alerts.list(request)),
        "/api/alerts",
      ),
      await call(
        route<{ id: string }>((api, request, { id }) => api.trucks.trail(request, id)),
        "/api/trucks/T-1/trail",
        { id: "T-1" },
      ),
    ];
    for (const response of responses) {
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({
        error: expect.stringMatching(/database is unreachable/),
      });
    }
  });

  it("answers any other error as a JSON 500", async () => {
    const response = await call(
      route(() => {
        throw new Error("a bug");
      }),
      "/api/anything",
    );
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: "internal error" });
  });
});
