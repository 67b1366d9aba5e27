import { jsonSchemaOf } from "@fleetstream/contracts";

// One JSON Schema (draft 2020-12) by topic name or webhook event type; 404 for others.
export const dynamic = "force-dynamic";

type Context = { params: Promise<{ name: string }> };

export async function GET(_request: Request, { params }: Context): Promise<Response> {
  const { name } = await params;
  const schema = jsonSchemaOf(name);
  if (!schema) {
    return Response.json(
      { error: `no schema named ${JSON.stringify(name)}; see /api/contracts/schemas` },
      { status: 404, headers: { "cache-control": "no-store" } },
    );
  }
  return Response.json(schema, {
    headers: { "cache-control": "no-store", "content-type": "application/schema+json" },
  });
}
