// Any /api/… path no route file serves: 404 as JSON `{ error }` like every API error (Next.js
// would answer with its HTML not-found page). More specific routes (including other catch-alls
// such as /api/auth/[...all]) win over this one.
export const dynamic = "force-dynamic";

function notFound(request: Request): Response {
  const path = new URL(request.url).pathname;
  return Response.json(
    { error: `no API endpoint at ${path} (see /api/contracts/openapi.json)` },
    { status: 404, headers: { "cache-control": "no-store" } },
  );
}

export const GET = notFound;
export const POST = notFound;
export const PUT = notFound;
export const PATCH = notFound;
export const DELETE = notFound;
