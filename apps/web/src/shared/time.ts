// Time and unit formatting for the whole UI: one zone rule (the browser's own zone, shown in the
// header), ages that say when a timestamp lies in the future instead of "0 s ago".

/** The browser's IANA zone, e.g. "Europe/Amsterdam" (or "UTC"). */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

// Formatters are built once per zone and kind: building one costs milliseconds (the first, tens:
// the zone data loads), and the header formats its clock and asks for the offset every second.
const formatters = new Map<string, Intl.DateTimeFormat>();
function cachedFormatter(key: string, build: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let f = formatters.get(key);
  if (!f) {
    f = build();
    formatters.set(key, f);
  }
  return f;
}

/** "UTC+01:00" for a zone at an instant (offsets change with daylight saving time). */
export function utcOffset(at: number, timeZone: string): string {
  const parts = cachedFormatter(
    `${timeZone}|offset`,
    () => new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "longOffset" }),
  ).formatToParts(at);
  const name = parts.find((p) => p.type === "timeZoneName")?.value ?? "GMT";
  const offset = name.replace(/^GMT/, "");
  return `UTC${offset === "" ? "+00:00" : offset}`;
}

/** "Europe/Amsterdam (UTC+01:00)" */
export function zoneLabel(at: number, timeZone: string): string {
  return `${timeZone} (${utcOffset(at, timeZone)})`;
}

function formatter(timeZone: string, withDate: boolean): Intl.DateTimeFormat {
  return cachedFormatter(
    `${timeZone}|${withDate}`,
    () =>
      new Intl.DateTimeFormat("en-GB", {
        timeZone,
        hourCycle: "h23",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
        ...(withDate ? { year: "numeric", month: "2-digit", day: "2-digit" } : {}),
      }),
  );
}

/** "14:03:07" in the zone. */
export function formatClock(at: number, timeZone: string): string {
  return formatter(timeZone, false).format(at);
}

/** "2026-12-01 14:03:07" in the zone. */
export function formatDateTime(at: number, timeZone: string): string {
  const parts = Object.fromEntries(
    formatter(timeZone, true)
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}

/** "45 s", "12 min", "3 h 5 min", "2 d 4 h" for a non-negative duration. */
export function formatDuration(ms: number): string {
  const seconds = Math.round(Math.abs(ms) / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

/**
 * How long ago `at` was from `now`: "12 s ago", "5 min ago"; "just now" within half a second;
 * a future timestamp says so ("4 min ahead of this clock"), never "0 s ago".
 */
export function formatAge(at: number, now: number): string {
  const delta = now - at;
  if (Math.abs(delta) < 500) return "just now";
  if (delta < 0) return `${formatDuration(delta)} ahead of this clock`;
  return `${formatDuration(delta)} ago`;
}

/** How late something arrived after its event time: "1.2 s late", or "before its event time". */
export function formatLateness(eventTime: number, arrivedAt: number): string {
  const delta = arrivedAt - eventTime;
  if (delta < 0) return `${formatDuration(delta)} before its event time`;
  if (delta < 10_000) return `${(delta / 1000).toFixed(1)} s late`;
  return `${formatDuration(delta)} late`;
}

export function formatSpeed(kmh: number): string {
  return `${kmh.toFixed(kmh >= 100 ? 0 : 1)} km/h`;
}

export function formatDistance(m: number): string {
  return m < 1000 ? `${Math.round(m)} m` : `${(m / 1000).toFixed(m < 10_000 ? 2 : 1)} km`;
}
