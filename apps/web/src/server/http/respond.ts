import { describeIssues } from "@fleetstream/contracts";
import { isDatabaseUnreachable } from "@fleetstream/db";
import type { z } from "zod";

// One error shape for every REST endpoint: `{ error, field?, problems? }` with the status from
// one table. Handlers parse their input with zod first; a bad value answers 400 naming the field.

export type ProblemCode =
  | "invalid"
  | "bad_json"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "internal"
  | "unavailable";

const STATUS: Record<ProblemCode, number> = {
  invalid: 400,
  bad_json: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  internal: 500,
  unavailable: 503,
};

export const NO_STORE = { "cache-control": "no-store" };

export interface ProblemBody {
  error: string;
  /** The first field the problem is about, as a dotted path ("type", "geometry.radiusM"). */
  field?: string;
  problems?: string[];
}

export function problem(
  code: ProblemCode,
  message: string,
  problems: readonly string[] = [],
): Response {
  const field = problems[0] ? fieldOf(problems[0]) : undefined;
  const body: ProblemBody = {
    error: message,
    ...(field ? { field } : {}),
    ...(problems.length > 0 ? { problems: [...problems] } : {}),
  };
  return Response.json(body, { status: STATUS[code], headers: NO_STORE });
}

/**
 * The answer for an error a handler threw: 503 while the database cannot be reached (the
 * client may try again), 500 otherwise; JSON either way.
 */
export function failure(error: unknown): Response {
  if (isDatabaseUnreachable(error))
    return problem("unavailable", "the database is unreachable right now; try again shortly");
  return problem("internal", "internal error");
}

/** What the stores (geofences, webhooks) answer: a value, or an error with its code. */
export type StoreResult<T> =
  | { ok: true; value: T }
  | { ok: false; code: ProblemCode; message: string; problems: readonly string[] };

/** A store's result as a response: an error by its code, null as 204 No Content. */
export function answer<T>(
  result: StoreResult<T>,
  status = 200,
  headers: Record<string, string> = {},
): Response {
  if (!result.ok) return problem(result.code, result.message, result.problems);
  if (result.value === null) return new Response(null, { status: 204, headers: NO_STORE });
  return json(result.value, status, headers);
}

/** "geometry.radiusM: radius must be > 0" → "geometry.radiusM"; "(record): …" → undefined. */
export function fieldOf(problemText: string): string | undefined {
  const match = /^([A-Za-z0-9_.[\]]+): /.exec(problemText);
  // "type.0" (an item of a list parameter) is about the parameter "type".
  return match?.[1]?.replace(/(\.\d+)+$/, "");
}

export function json(value: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return Response.json(value, { status, headers: { ...NO_STORE, ...headers } });
}

/** The database, or the 503 an endpoint answers when this web server runs without one. */
export function requireDatabase<T>(db: T | undefined, what: string): T | Response {
  return (
    db ??
    problem("unavailable", `${what} needs a database: this web server was started without one`)
  );
}

export const notFound = (what: string, id: string): Response =>
  problem("not_found", `${what} ${JSON.stringify(id)} not found`);

export type Parsed<T> = { ok: true; value: T } | { ok: false; response: Response };

/**
 * Parses the query string with a zod object schema. Repeated parameters and comma-separated
 * values are kept as strings; the schema splits what it wants as a list. Unknown parameters are
 * rejected, so a typo is a 400 naming it instead of a silently ignored filter.
 */
export function parseQuery<T>(request: Request, schema: z.ZodType<T>): Parsed<T> {
  const params: Record<string, string> = {};
  for (const [key, value] of new URL(request.url).searchParams) {
    params[key] = key in params ? `${params[key]},${value}` : value;
  }
  const parsed = schema.safeParse(params);
  if (parsed.success) return { ok: true, value: parsed.data };
  const problems = describeIssues(parsed.error).split("; ");
  return { ok: false, response: problem("invalid", `invalid query: ${problems[0]}`, problems) };
}

/** Parses a JSON request body with a schema (400 for bad JSON or a bad field). */
export async function parseBody<T>(
  request: Request,
  schema: z.ZodType<T>,
  what = "request",
): Promise<Parsed<T>> {
  const body = await readJson(request);
  if (!body.ok) return body;
  const parsed = schema.safeParse(body.value);
  if (parsed.success) return { ok: true, value: parsed.data };
  const problems = describeIssues(parsed.error).split("; ");
  return { ok: false, response: problem("invalid", `invalid ${what}: ${problems[0]}`, problems) };
}

export async function readJson(request: Request): Promise<Parsed<unknown>> {
  const text = await request.text();
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return {
      ok: false,
      response: problem("bad_json", `request body is not JSON: ${(error as Error).message}`),
    };
  }
}
