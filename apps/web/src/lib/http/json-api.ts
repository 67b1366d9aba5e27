// JSON answers shared by the REST API modules (lib/geofences/http.ts, lib/webhooks/http.ts):
// one error shape ({ error, problems? }, contracts ApiError), no caching, and a request-body
// reader that answers 400 for bytes that are not JSON.

export const NO_STORE = { "cache-control": "no-store" };

/** An error answer: one line naming the problem, and every problem found. */
export function problem(
  status: number,
  message: string,
  problems: readonly string[] = [],
): Response {
  return Response.json(
    { error: message, ...(problems.length > 0 ? { problems } : {}) },
    { status, headers: NO_STORE },
  );
}

export type StoreResult<T, Code extends string> =
  | { ok: true; value: T }
  | { ok: false; code: Code; message: string; problems: readonly string[] };

/** A store's result as a response: errors by code through `statuses`, null as 204. */
export function answer<T, Code extends string>(
  statuses: Record<Code, number>,
  result: StoreResult<T, Code>,
  status = 200,
  headers: HeadersInit = {},
): Response {
  if (!result.ok) return problem(statuses[result.code], result.message, result.problems);
  if (result.value === null) return new Response(null, { status: 204, headers: NO_STORE });
  return Response.json(result.value, { status, headers: { ...NO_STORE, ...headers } });
}

/** The request body as JSON, or a 400 answer saying why not. An empty body reads as `{}`. */
export async function readJson(
  request: Request,
  { emptyAsObject = false } = {},
): Promise<{ ok: true; json: unknown } | { ok: false; response: Response }> {
  const text = await request.text();
  if (emptyAsObject && text.trim() === "") return { ok: true, json: {} };
  try {
    return { ok: true, json: JSON.parse(text) };
  } catch (error) {
    return {
      ok: false,
      response: problem(400, `request body is not JSON: ${(error as Error).message}`),
    };
  }
}
