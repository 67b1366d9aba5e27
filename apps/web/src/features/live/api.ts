// fetch helpers for the REST API: JSON in and out, errors as ApiError with the server's
// `{ error, field, problems }` so forms can show each problem next to its field.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field: string | undefined,
    readonly problems: string[],
  ) {
    super(message);
  }
}

async function answer<T>(response: Response): Promise<T> {
  if (response.status === 204) return undefined as T;
  const body: unknown = await response.json().catch(() => ({}));
  if (!response.ok) {
    // Ours: { error, field, problems }; better-auth's (/api/auth): { code, message }.
    const b = body as { error?: string; message?: string; field?: string; problems?: string[] };
    throw new ApiError(
      response.status,
      b.error ?? b.message ?? `HTTP ${response.status}`,
      b.field,
      b.problems ?? [],
    );
  }
  return body as T;
}

export async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  return answer<T>(await fetch(url, { signal, headers: { accept: "application/json" } }));
}

export async function sendJson<T>(
  method: "POST" | "PUT" | "DELETE",
  url: string,
  body?: unknown,
): Promise<T> {
  return answer<T>(
    await fetch(url, {
      method,
      headers: { "content-type": "application/json", accept: "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
  );
}

/** "a=1&b=2" from an object, skipping null/undefined/empty values. */
export function query(params: Record<string, string | number | null | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== null && v !== undefined && v !== "") p.set(k, String(v));
  const text = p.toString();
  return text ? `?${text}` : "";
}
