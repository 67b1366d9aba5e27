import { describeIssues } from "@fleetstream/contracts";
import { isDatabaseUnreachable } from "@fleetstream/db";
import { RecordTooLargeError } from "@fleetstream/eventlog";
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
  | "too_large"
  | "internal"
  | "unavailable";

const STATUS: Record<ProblemCode, number> = {
  invalid: 400,
  bad_json: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  internal: 500,
  unavailable: 503,
};

export const NO_STORE = { "cache-control": "no-store" };

/**
 * Largest request body the API reads: 1 MiB (1,048,576 bytes). A geofence at the position limit
 * (20,000) is ~0.4–0.8 MB of JSON; no other request comes close. Refused with 413 twice: from
 * Content-Length before anything is read (http-guard.ts), and while reading (a chunked body
 * has none), so no body is held in memory past this size.
 */
export const MAX_BODY_BYTES = 1_048_576;

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
  if (error instanceof RecordTooLargeError) return problem("too_large", error.message);
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

/**
 * The body as JSON (400 if it is not), read as a stream: past `limit` bytes it stops reading
 * and answers 413, so a large chunked body is never buffered whole.
 */
export async function readJson(request: Request, limit = MAX_BODY_BYTES): Promise<Parsed<unknown>> {
  const text = await readText(request, limit);
  if (text === undefined) {
    return {
      ok: false,
      response: problem("too_large", `request body exceeds the limit of ${limit} bytes`),
    };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return {
      ok: false,
      response: problem("bad_json", `request body is not JSON: ${(error as Error).message}`),
    };
  }
}

/** The body as UTF-8 text, or undefined once it passes `limit` bytes (reading stops there). */
async function readText(request: Request, limit: number): Promise<string | undefined> {
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > limit) {
      // Stop reading: the stream stays paused, so the client is held back by TCP flow control
      // while it gets the 413. Cancelling (which closes the connection) waits a moment, or the
      // client would see the connection reset before the answer.
      setTimeout(() => void reader.cancel().catch(() => {}), 1_000).unref();
      return undefined;
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks, bytes)); // as request.text(): BOM dropped
}
