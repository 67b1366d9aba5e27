import {
  describeIssues,
  type GpsFix,
  GpsFix as GpsFixSchema,
  TruckId,
} from "@fleetstream/contracts";
import { serializeFix } from "./codec";
import type { Emission } from "./faults";
import { bearingDeg, distanceM } from "./geo";

/** One record read from a replay file. */
export interface ReplayRecord {
  key: string | null;
  /** Bytes to send (NDJSON lines are replayed exactly as written, even invalid ones). */
  value: string | null;
  /** Event time when the record has one; sets the replay timing. */
  eventTime?: number;
  /** The decoded fix, when the record is a valid one (used to shift times). */
  fix?: GpsFix;
}

/** A line of NDJSON: replayed byte for byte; key and time are taken from it when it decodes. */
export function parseNdjsonLine(line: string): ReplayRecord | undefined {
  const text = line.trim();
  if (text === "") return undefined;
  if (text === "null") return { key: null, value: null };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { key: null, value: text };
  }
  const fix = GpsFixSchema.safeParse(json);
  if (fix.success)
    return { key: fix.data.truckId, value: text, eventTime: fix.data.eventTime, fix: fix.data };
  // Invalid but readable: keep its truck and time if it has them, so it lands where it did.
  const loose = json as { truckId?: unknown; eventTime?: unknown } | null;
  const key = typeof loose?.truckId === "string" && loose.truckId !== "" ? loose.truckId : null;
  const eventTime = typeof loose?.eventTime === "number" ? loose.eventTime : undefined;
  return eventTime === undefined ? { key, value: text } : { key, value: text, eventTime };
}

/** Column names accepted in CSV headers, by field (case-insensitive). */
const CSV_COLUMNS: Record<keyof GpsFix, readonly string[]> = {
  v: ["v", "version"],
  truckId: ["truckid", "truck_id", "truck", "vehicle", "vehicle_id", "device_id", "id"],
  seq: ["seq", "sequence"],
  lat: ["lat", "latitude"],
  lon: ["lon", "lng", "long", "longitude"],
  speedKmh: ["speedkmh", "speed_kmh", "speed"],
  headingDeg: ["headingdeg", "heading_deg", "heading", "course", "bearing"],
  eventTime: ["eventtime", "event_time", "timestamp", "time", "ts"],
  accuracyM: ["accuracym", "accuracy_m", "accuracy"],
};

/** Splits one CSV line (RFC 4180 quoting, no line breaks inside fields). */
export function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      fields.push(field);
      field = "";
    } else field += c;
  }
  fields.push(field);
  return fields.map((f) => f.trim());
}

/** Epoch ms from a number (ms; seconds if < 1e11) or an ISO-8601 string. */
export function parseTime(text: string): number | undefined {
  if (/^\d+(\.\d+)?$/.test(text)) {
    const n = Number(text);
    return Math.round(n < 1e11 ? n * 1000 : n);
  }
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/** A fix with some fields missing, before `completeFixes` fills them in. */
export type PartialFix = Partial<GpsFix> & Pick<GpsFix, "truckId" | "lat" | "lon" | "eventTime">;

/**
 * Parses CSV text with a header row naming the columns (see CSV_COLUMNS). Required: lat, lon, a
 * time, and a truck id (or `fallbackTruckId`). Throws "source:line: reason" on a bad row.
 */
export function parseCsv(text: string, source: string, fallbackTruckId: string): PartialFix[] {
  const lines = text.split(/\r?\n/);
  const header = splitCsvLine(lines[0] ?? "").map((h) => h.toLowerCase());
  const column = (field: keyof GpsFix) => header.findIndex((h) => CSV_COLUMNS[field].includes(h));
  const at = Object.fromEntries(
    (Object.keys(CSV_COLUMNS) as (keyof GpsFix)[]).map((f) => [f, column(f)]),
  ) as Record<keyof GpsFix, number>;
  for (const field of ["lat", "lon", "eventTime"] as const) {
    if (at[field] < 0) {
      throw new Error(
        `${source}:1: the header has no ${field} column (accepted: ${CSV_COLUMNS[field].join(", ")})`,
      );
    }
  }
  const fixes: PartialFix[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === "") continue;
    const cells = splitCsvLine(line);
    const cell = (field: keyof GpsFix) => (at[field] >= 0 ? (cells[at[field]] ?? "") : "");
    const where = `${source}:${i + 1}`;
    const num = (field: keyof GpsFix) => {
      const text = cell(field);
      if (text === "") return undefined;
      const n = Number(text);
      if (!Number.isFinite(n)) throw new Error(`${where}: ${field} is not a number ("${text}")`);
      return n;
    };
    const eventTime = parseTime(cell("eventTime"));
    if (eventTime === undefined)
      throw new Error(`${where}: eventTime is not a time ("${cell("eventTime")}")`);
    const lat = num("lat");
    const lon = num("lon");
    if (lat === undefined || lon === undefined)
      throw new Error(`${where}: lat and lon are required`);
    const fix: PartialFix = { truckId: cell("truckId") || fallbackTruckId, lat, lon, eventTime };
    const seq = num("seq");
    const speedKmh = num("speedKmh");
    const headingDeg = num("headingDeg");
    const accuracyM = num("accuracyM");
    if (seq !== undefined) fix.seq = seq;
    if (speedKmh !== undefined) fix.speedKmh = speedKmh;
    if (headingDeg !== undefined) fix.headingDeg = headingDeg;
    if (accuracyM !== undefined) fix.accuracyM = accuracyM;
    fixes.push(fix);
  }
  return fixes;
}

const attribute = (tag: string, name: string) =>
  new RegExp(`\\b${name}\\s*=\\s*["']([^"']*)["']`).exec(tag)?.[1];
const element = (body: string, name: string) =>
  new RegExp(`<${name}>\\s*([^<]*?)\\s*</${name}>`).exec(body)?.[1];

/** Makes a GPX track name usable as a truck id. */
export function toTruckId(name: string, fallback: string): string {
  const id = name
    .trim()
    .replace(/[^A-Za-z0-9_.:-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 64);
  return id === "" ? fallback : id;
}

/**
 * Parses GPX 1.0/1.1 tracks: each <trk> is one truck (id from its <name>), each <trkpt> with a
 * <time> one fix; <speed> (m/s) and <course> are used when present. Points come out merged by time.
 */
export function parseGpx(text: string, source: string, fallbackTruckId: string): PartialFix[] {
  const fixes: PartialFix[] = [];
  const tracks = text.match(/<trk\b[\s\S]*?<\/trk>/g) ?? [];
  tracks.forEach((track, t) => {
    const name = element(track.replace(/<trkseg\b[\s\S]*$/, ""), "name");
    const fallback = tracks.length > 1 ? `${fallbackTruckId}-${t + 1}` : fallbackTruckId;
    const truckId = name ? toTruckId(name, fallback) : fallback;
    for (const point of track.match(/<trkpt\b[^>]*?(?:\/>|>[\s\S]*?<\/trkpt>)/g) ?? []) {
      const open = /<trkpt\b[^>]*>/.exec(point)?.[0] ?? "";
      const lat = Number(attribute(open, "lat"));
      const lon = Number(attribute(open, "lon"));
      const time = element(point, "time");
      const eventTime = time === undefined ? undefined : parseTime(time);
      if (!Number.isFinite(lat) || !Number.isFinite(lon) || eventTime === undefined) continue;
      const fix: PartialFix = { truckId, lat, lon, eventTime };
      const speed = Number(element(point, "speed"));
      const course = Number(element(point, "course"));
      if (element(point, "speed") !== undefined && Number.isFinite(speed))
        fix.speedKmh = speed * 3.6;
      if (element(point, "course") !== undefined && Number.isFinite(course))
        fix.headingDeg = course;
      fixes.push(fix);
    }
  });
  if (fixes.length === 0) throw new Error(`${source}: no track points with a <time> found`);
  return fixes
    .map((fix, i) => ({ fix, i }))
    .sort((a, b) => a.fix.eventTime - b.fix.eventTime || a.i - b.i)
    .map(({ fix }) => fix);
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * Fills in what a CSV or GPX file may leave out: seq (per truck, from the first fix's time in
 * seconds, +1 per fix), speed and heading (from the previous fix of the same truck). Validates
 * each fix against the contract; throws "source: fix N: reason" on the first bad one.
 */
export function completeFixes(partials: readonly PartialFix[], source: string): ReplayRecord[] {
  const last = new Map<string, GpsFix>();
  return partials.map((partial, i) => {
    const prev = last.get(partial.truckId);
    const seconds = prev ? (partial.eventTime - prev.eventTime) / 1000 : 0;
    const moved = prev ? distanceM([prev.lon, prev.lat], [partial.lon, partial.lat]) : 0;
    const candidate: GpsFix = {
      ...(partial.v !== undefined ? { v: partial.v } : { v: 1 as const }),
      truckId: partial.truckId,
      seq: partial.seq ?? (prev ? prev.seq + 1 : Math.floor(partial.eventTime / 1000)),
      lat: round(partial.lat, 7),
      lon: round(partial.lon, 7),
      speedKmh: round(partial.speedKmh ?? (seconds > 0 ? (moved / seconds) * 3.6 : 0), 1),
      headingDeg:
        partial.headingDeg ??
        (prev && moved > 1
          ? round(bearingDeg([prev.lon, prev.lat], [partial.lon, partial.lat]), 1) % 360
          : (prev?.headingDeg ?? 0)),
      eventTime: partial.eventTime,
      ...(partial.accuracyM !== undefined ? { accuracyM: partial.accuracyM } : {}),
    };
    const checked = GpsFixSchema.safeParse(candidate);
    if (!checked.success) {
      throw new Error(
        `${source}: fix ${i + 1} (${partial.truckId}): ${describeIssues(checked.error)}`,
      );
    }
    last.set(partial.truckId, checked.data);
    return {
      key: checked.data.truckId,
      value: serializeFix(checked.data),
      eventTime: checked.data.eventTime,
      fix: checked.data,
    };
  });
}

/**
 * Moves every valid fix's event time by `deltaMs`, and its seq by as many whole seconds, so a
 * consumer that already saw the original (seq <= last seen is a duplicate) takes the replay as
 * new fixes. Valid fixes are re-serialized; other records are sent unchanged.
 */
export function shiftTimes(records: readonly ReplayRecord[], deltaMs: number): ReplayRecord[] {
  const seqShift = Math.max(0, Math.floor(deltaMs / 1000));
  return records.map((r) => {
    if (!r.fix) return r.eventTime === undefined ? r : { ...r, eventTime: r.eventTime + deltaMs };
    const fix = { ...r.fix, eventTime: r.fix.eventTime + deltaMs, seq: r.fix.seq + seqShift };
    return { ...r, fix, eventTime: fix.eventTime, value: serializeFix(fix) };
  });
}

/** Whether a truck id fits the contract (for --truck-id). */
export const isTruckId = (id: string) => TruckId.safeParse(id).success;

/**
 * Replay timing: each record is due at its event time, never before the previous record (a
 * record whose time goes backwards, e.g. a late fix, goes out right after its predecessor);
 * records without a time go with the previous one. Times are simulated time for the Runner.
 */
export function replayEmissions(records: readonly ReplayRecord[]): Emission[] {
  const first = records.find((r) => r.eventTime !== undefined)?.eventTime ?? 0;
  let at = first;
  return records.map((r) => {
    if (r.eventTime !== undefined && r.eventTime > at) at = r.eventTime;
    return { key: r.key, value: r.value, emitAt: at };
  });
}
