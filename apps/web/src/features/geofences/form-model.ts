import type { Geofence, GeofenceGeometry, GeofenceInput } from "@fleetstream/contracts";
import { DEFAULT_DEBOUNCE } from "@fleetstream/contracts/browser";

// The geofence form's values (strings, as typed) and how they become an API request; the API's
// 400 problems are mapped back to the field they name.

export interface FenceFormValues {
  name: string;
  tags: string;
  enabled: boolean;
  speedLimitKmh: string;
  dwellSeconds: string;
  debounceFixes: string;
  debounceSeconds: string;
  bufferM: string;
}

export type FormField = keyof FenceFormValues | "geometry" | "form";

export function formValues(
  fence: Geofence | null,
  geometry: GeofenceGeometry | null,
): FenceFormValues {
  return {
    name: fence?.name ?? "",
    tags: fence?.tags.join(", ") ?? "",
    enabled: fence?.enabled ?? true,
    speedLimitKmh: fence?.speedLimitKmh == null ? "" : String(fence.speedLimitKmh),
    dwellSeconds: fence?.dwellSeconds == null ? "" : String(fence.dwellSeconds),
    debounceFixes: String(fence?.debounce.fixes ?? DEFAULT_DEBOUNCE.fixes),
    debounceSeconds: String(fence?.debounce.seconds ?? DEFAULT_DEBOUNCE.seconds),
    bufferM: geometry?.type === "Corridor" ? String(geometry.bufferM) : "",
  };
}

/** A number field: empty → null; otherwise the number (NaN passes through for the API to name). */
const numberOrNull = (text: string): number | null => (text.trim() === "" ? null : Number(text));

/** The request body. Values are sent as typed: the API validates and names what is wrong. */
export function fenceInput(values: FenceFormValues, geometry: GeofenceGeometry): GeofenceInput {
  const buffer = numberOrNull(values.bufferM);
  return {
    name: values.name,
    tags: values.tags
      .split(",")
      .map((t) => t.trim())
      .filter(Boolean),
    enabled: values.enabled,
    geometry:
      geometry.type === "Corridor" && buffer !== null ? { ...geometry, bufferM: buffer } : geometry,
    speedLimitKmh: numberOrNull(values.speedLimitKmh),
    dwellSeconds: numberOrNull(values.dwellSeconds),
    debounce: {
      fixes: numberOrNull(values.debounceFixes) ?? 0,
      seconds: numberOrNull(values.debounceSeconds) ?? 0,
    },
  };
}

/**
 * Which form field an API problem is about: "name: …" → name, "debounce.fixes: …" →
 * debounceFixes, "geometry.bufferM: …" → bufferM, other "geometry…" → geometry; else the form.
 */
export function fieldOfProblem(problem: string): FormField {
  const path = /^([A-Za-z0-9_.[\]]+): /.exec(problem)?.[1] ?? "";
  if (path === "name" || path.startsWith("tags")) return path === "name" ? "name" : "tags";
  if (path === "enabled") return "enabled";
  if (path === "speedLimitKmh") return "speedLimitKmh";
  if (path === "dwellSeconds") return "dwellSeconds";
  if (path === "debounce.fixes") return "debounceFixes";
  if (path === "debounce.seconds") return "debounceSeconds";
  if (path === "geometry.bufferM") return "bufferM";
  if (path.startsWith("geometry")) return "geometry";
  return "form";
}

/** Problems grouped by field, the path prefix removed ("name: name must not be empty" → …). */
export function problemsByField(problems: readonly string[]): Partial<Record<FormField, string[]>> {
  const grouped: Partial<Record<FormField, string[]>> = {};
  for (const problem of problems) {
    const field = fieldOfProblem(problem);
    const text =
      field === "form" || field === "geometry" ? problem : problem.replace(/^[^:]+: /, "");
    grouped[field] = [...(grouped[field] ?? []), text];
  }
  return grouped;
}

const NUMERIC: [keyof FenceFormValues, string][] = [
  ["speedLimitKmh", "speedLimitKmh"],
  ["dwellSeconds", "dwellSeconds"],
  ["debounceFixes", "debounce.fixes"],
  ["debounceSeconds", "debounce.seconds"],
  ["bufferM", "geometry.bufferM"],
];

/**
 * What JSON cannot carry: text in a number field would be sent as null (no limit), so it is
 * caught here, in the API's problem format. Everything else is left to the API.
 */
export function localProblems(values: FenceFormValues): string[] {
  return NUMERIC.filter(([key]) => {
    const text = String(values[key]).trim();
    return text !== "" && !Number.isFinite(Number(text));
  }).map(([, path]) => `${path}: must be a number`);
}
