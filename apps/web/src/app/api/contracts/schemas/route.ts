import { SCHEMA_ENTRIES } from "@fleetstream/contracts";

// The JSON Schemas on offer: every topic's record value and every webhook payload.
export const dynamic = "force-dynamic";

export function GET(): Response {
  const schemas = SCHEMA_ENTRIES.map(({ name, kind, description }) => ({
    name,
    kind,
    description,
    url: `/api/contracts/schemas/${name}`,
  }));
  return Response.json({ schemas }, { headers: { "cache-control": "no-store" } });
}
