import type { TruckPosition } from "@fleetstream/contracts";

/** Pure HTML builders for a truck marker and its popup (Leaflet takes HTML strings). */

const COMPASS = ["N", "NE", "E", "SE", "S", "SW", "W", "NW"] as const;

export function compassPoint(headingDeg: number): string {
  const index = Math.round((((headingDeg % 360) + 360) % 360) / 45) % 8;
  return COMPASS[index] ?? "N";
}

export function truckLabel(truckId: string): string {
  return `Truck ${truckId}`;
}

/**
 * A marker body with an accessible name; the arrow inside is rotated by heading (the caller
 * sets the rotation on `.truck-marker__arrow` so updates need no new DOM).
 */
export function truckIconHtml(truckId: string): string {
  return (
    `<div class="truck-marker__body" role="img" aria-label="${escapeHtml(truckLabel(truckId))}">` +
    `<svg class="truck-marker__arrow" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false">` +
    `<circle cx="12" cy="12" r="10" class="truck-marker__disc"/>` +
    `<path d="M12 3.5 L17.5 18.5 L12 14 L6.5 18.5 Z" class="truck-marker__pointer"/>` +
    `</svg></div>`
  );
}

/** "2 s ago", "5 min ago", "3 h ago" (never negative when clocks disagree a little). */
export function formatAge(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  return `${Math.round(minutes / 60)} h ago`;
}

export function truckPopupHtml(position: TruckPosition, now: number): string {
  const fixTime = new Date(position.eventTime);
  const heading = Math.round(position.headingDeg);
  const rows: [string, string][] = [
    ["Speed", `${position.speedKmh.toFixed(1)} km/h`],
    ["Heading", `${heading}° ${compassPoint(position.headingDeg)}`],
    ["Position", `${position.lat.toFixed(5)}, ${position.lon.toFixed(5)}`],
    [
      "Last fix",
      `${fixTime.toISOString().slice(11, 19)} UTC (${formatAge(now - position.eventTime)})`,
    ],
  ];
  return (
    `<div class="truck-popup"><strong class="truck-popup__title">${escapeHtml(truckLabel(position.truckId))}</strong>` +
    `<dl>${rows.map(([k, v]) => `<dt>${k}</dt><dd>${escapeHtml(v)}</dd>`).join("")}</dl></div>`
  );
}

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );
}
