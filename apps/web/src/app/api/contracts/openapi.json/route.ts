import { openApiDocument } from "@fleetstream/contracts";

// The OpenAPI 3.1 document of this REST API, generated from the zod contracts.
export const dynamic = "force-dynamic";

export function GET(): Response {
  return Response.json(openApiDocument(), { headers: { "cache-control": "no-store" } });
}
