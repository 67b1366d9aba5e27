import { route } from "../../../server/context";

// GET /api/health: 200 {"status":"ok"} while every live feed runs; 503 naming the failed check
// (a feed whose topic reader stopped no longer updates the dashboard). Same as /health/ready.
export const dynamic = "force-dynamic";
export const GET = route((api) => {
  const { ok, body } = api.health();
  return Response.json(body, { status: ok ? 200 : 503, headers: { "cache-control": "no-store" } });
});
