import { z } from "zod";

/**
 * JSON that keeps floats floats. `JSON.stringify({ avgSpeedKmh: 60 })` writes `60`, and a
 * consumer that infers its schema from the data (Kafka Connect, Spark, BigQuery auto-detect)
 * then types the field as an integer and later fails on `60.5`. A writer built from the zod
 * contract writes every field the contract declares as a (non-integer) `z.number()` with a
 * decimal point when its value is whole: `60.0`. Integers (`z.int()`) and everything else are
 * written exactly as JSON.stringify writes them, and `JSON.parse` of the output equals the value.
 *
 *   const writeWindow = jsonWriter(TruckSpeedWindow);   // once, at module load
 *   producer.send(topic, [{ key, value: writeWindow(window) }]);
 */
export function jsonWriter<T>(schema: z.ZodType<T>): (value: T) => string {
  const root = z.toJSONSchema(schema, { io: "output", unrepresentable: "any" }) as JsonSchema;
  const plan = planOf(root, root, new Set());
  return (value) => writeFlat(value, plan) ?? write(value, plan) ?? "null";
}

/**
 * The common case natively: an object whose fields are all strings, numbers, booleans or null
 * (a speed window, a late fix's outer fields are not). JSON.stringify writes it; a whole-valued
 * float field then gets its ".0" where `"name":value` stands (inside a string value every quote
 * is escaped, so the pattern only matches the field itself). The window writer spent most of its
 * time and allocations concatenating field by field. Undefined when the value is not flat.
 */
function writeFlat(value: unknown, plan: Plan): string | undefined {
  if (plan.kind !== "object" || typeof value !== "object" || value === null) return undefined;
  if (Array.isArray(value) || typeof (value as { toJSON?: unknown }).toJSON === "function")
    return undefined;
  let wholeFloats: string[] | undefined;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) return undefined;
    const field = (value as Record<string, unknown>)[key];
    if (typeof field === "object" && field !== null) return undefined;
    if (typeof field === "bigint") return undefined;
    if (
      typeof field === "number" &&
      Number.isInteger(field) &&
      Math.abs(field) < 1e21 &&
      (plan.properties.get(key) ?? plan.rest).kind === "float"
    ) {
      wholeFloats ??= [];
      wholeFloats.push(key);
    }
  }
  let text = JSON.stringify(value);
  for (const key of wholeFloats ?? []) {
    const field = `${quote(key)}:${String((value as Record<string, number>)[key])}`;
    const at = text.indexOf(field);
    if (at < 0) return undefined;
    const end = at + field.length;
    text = `${text.slice(0, end)}.0${text.slice(end)}`;
  }
  return text;
}

type Plan =
  | { kind: "float" }
  | { kind: "any" }
  | { kind: "object"; properties: Map<string, Plan>; rest: Plan }
  | { kind: "array"; prefix: Plan[]; items: Plan };

const ANY: Plan = { kind: "any" };

interface JsonSchema {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema | JsonSchema[];
  prefixItems?: JsonSchema[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  definitions?: Record<string, JsonSchema>;
}

function resolve(root: JsonSchema, ref: string): JsonSchema | undefined {
  const match = /^#\/(\$defs|definitions)\/(.+)$/.exec(ref);
  if (!match) return undefined;
  const defs = match[1] === "$defs" ? root.$defs : root.definitions;
  return defs?.[decodeURIComponent(match[2] ?? "")];
}

function planOf(node: JsonSchema, root: JsonSchema, seen: Set<JsonSchema>): Plan {
  if (node.$ref) {
    const target = resolve(root, node.$ref);
    // A recursive schema: deeper levels are written plainly.
    if (!target || seen.has(target)) return ANY;
    return planOf(target, root, new Set([...seen, target]));
  }
  const branches = [...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? [])];
  let plan: Plan = ANY;
  const types = Array.isArray(node.type) ? node.type : node.type ? [node.type] : [];
  // A literal (z.literal(1): { type: "number", const: 1 }) is written as declared: "v":1.
  if (types.includes("number") && node.const === undefined && node.enum === undefined)
    plan = { kind: "float" };
  else if (types.includes("object") || node.properties) {
    const properties = new Map<string, Plan>();
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      properties.set(key, planOf(child, root, seen));
    }
    const extra = node.additionalProperties;
    plan = {
      kind: "object",
      properties,
      rest: typeof extra === "object" ? planOf(extra, root, seen) : ANY,
    };
  } else if (types.includes("array") || node.items || node.prefixItems) {
    const tuple = Array.isArray(node.items) ? node.items : (node.prefixItems ?? []);
    const items = node.items && !Array.isArray(node.items) ? node.items : undefined;
    plan = {
      kind: "array",
      prefix: tuple.map((child) => planOf(child, root, seen)),
      items: items ? planOf(items, root, seen) : ANY,
    };
  }
  return branches.reduce((merged, branch) => merge(merged, planOf(branch, root, seen)), plan);
}

/** One plan for a value that may match either schema (unions, nullable). */
function merge(a: Plan, b: Plan): Plan {
  if (a.kind === "any") return b;
  if (b.kind === "any") return a;
  if (a.kind === "object" && b.kind === "object") {
    const properties = new Map(a.properties);
    for (const [key, plan] of b.properties) {
      const existing = properties.get(key);
      properties.set(key, existing ? merge(existing, plan) : plan);
    }
    return { kind: "object", properties, rest: merge(a.rest, b.rest) };
  }
  if (a.kind === "array" && b.kind === "array") {
    const length = Math.max(a.prefix.length, b.prefix.length);
    const prefix = Array.from({ length }, (_, i) => merge(a.prefix[i] ?? ANY, b.prefix[i] ?? ANY));
    return { kind: "array", prefix, items: merge(a.items, b.items) };
  }
  // float with object/array: the value's own shape decides at write time.
  return a.kind === "float" ? b : a;
}

const quoted = new Map<string, string>();
/** A property name as JSON, cached: records repeat the same few names. */
function quote(key: string): string {
  let text = quoted.get(key);
  if (text === undefined) {
    text = JSON.stringify(key);
    if (quoted.size < 10_000) quoted.set(key, text);
  }
  return text;
}

/** Like JSON.stringify(value) (undefined for what it would skip), with floats as floats. */
function write(value: unknown, plan: Plan): string | undefined {
  switch (typeof value) {
    case "number":
      if (!Number.isFinite(value)) return "null";
      // 1e21 and above are written in exponent form, which a reader already takes for a float.
      if (plan.kind === "float" && Number.isInteger(value) && Math.abs(value) < 1e21) {
        return `${value}.0`;
      }
      return String(value);
    case "string":
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    case "object":
      break;
    default:
      return JSON.stringify(value);
  }
  if (value === null) return "null";
  const withToJson = value as { toJSON?: () => unknown };
  if (typeof withToJson.toJSON === "function") return write(withToJson.toJSON(), plan);
  if (Array.isArray(value)) {
    const prefix = plan.kind === "array" ? plan.prefix : [];
    const items = plan.kind === "array" ? plan.items : ANY;
    let out = "[";
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ",";
      out += write(value[i], prefix[i] ?? items) ?? "null";
    }
    return `${out}]`;
  }
  const properties = plan.kind === "object" ? plan.properties : undefined;
  const rest = plan.kind === "object" ? plan.rest : ANY;
  let out = "{";
  let first = true;
  for (const key of Object.keys(value)) {
    const written = write((value as Record<string, unknown>)[key], properties?.get(key) ?? rest);
    if (written === undefined) continue;
    out += first ? `${quote(key)}:${written}` : `,${quote(key)}:${written}`;
    first = false;
  }
  return `${out}}`;
}
