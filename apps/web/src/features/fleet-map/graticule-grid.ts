/** Pure arithmetic for the lat/lon grid drawn under the trucks (works without tiles). */

const STEPS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30];

/** The grid spacing (degrees) that puts about `targetLines` lines across a `span`-degree view. */
export function graticuleStep(span: number, targetLines = 6): number {
  const raw = span / targetLines;
  return STEPS.find((step) => step >= raw) ?? 30;
}

/** Multiples of `step` within [min, max], rounded to the step's precision. */
export function gridValues(min: number, max: number, step: number): number[] {
  const decimals = decimalsOf(step);
  const values: number[] = [];
  for (let i = Math.ceil(min / step); i * step <= max; i += 1) {
    values.push(Number((i * step).toFixed(decimals)));
  }
  return values;
}

/** A grid label such as "52.5°N" or "4°W" (longitudes wrapped into [-180, 180]). */
export function formatCoordinate(value: number, axis: "lat" | "lon", step: number): string {
  const wrapped = axis === "lon" ? ((((value + 180) % 360) + 360) % 360) - 180 : value;
  const hemisphere =
    wrapped === 0 ? "" : axis === "lat" ? (wrapped > 0 ? "N" : "S") : wrapped > 0 ? "E" : "W";
  return `${Math.abs(wrapped).toFixed(decimalsOf(step))}°${hemisphere}`;
}

function decimalsOf(step: number): number {
  const text = String(step);
  const dot = text.indexOf(".");
  return dot === -1 ? 0 : text.length - dot - 1;
}
