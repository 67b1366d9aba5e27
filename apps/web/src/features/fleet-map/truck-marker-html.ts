/** Pure HTML builders for a truck marker (Leaflet takes HTML strings). */

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
export function truckIconHtml(truckId: string, variant: "live" | "replay" = "live"): string {
  const label = variant === "replay" ? `Replayed truck ${truckId}` : truckLabel(truckId);
  return (
    `<div class="truck-marker__body" role="img" aria-label="${escapeHtml(label)}">` +
    `<svg class="truck-marker__arrow" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false">` +
    `<circle cx="12" cy="12" r="10" class="truck-marker__disc"/>` +
    `<path d="M12 3.5 L17.5 18.5 L12 14 L6.5 18.5 Z" class="truck-marker__pointer"/>` +
    `</svg></div>`
  );
}

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );
}
