// `npm run bench -- geofence [--fixes N] [--naive N]`: fixes per second through the geofence
// matcher and alert state machine on one core, with 10,000 mixed geofences over 100,000 trucks,
// against the naive baseline (every fence tested with turf, no index) in the same run, measured
// on a sample of fixes (--naive, default 40: it is ~100,000 times slower).
// Last line: one JSON object (bench, metric, value, unit, baseline, ratio, ...).
import { parseArgs } from "node:util";
import type { Geofence, GeofenceAlert, GeofenceGeometry } from "@fleetstream/contracts";
import { type FixLike, GeofenceAlerter, GeofenceIndex } from "@fleetstream/geofence";
import { NL_REGION, randomGeometry, seededRandom } from "@fleetstream/geofence/testing";
import { booleanPointInPolygon } from "@turf/boolean-point-in-polygon";
import { distance } from "@turf/distance";
import { lineString, multiPolygon, point, polygon } from "@turf/helpers";
import { pointToLineDistance } from "@turf/point-to-line-distance";
import type { Feature, Point } from "geojson";

const { values } = parseArgs({
  options: {
    fences: { type: "string", default: "10000" },
    trucks: { type: "string", default: "100000" },
    fixes: { type: "string", default: "2000000" },
    naive: { type: "string", default: "40" },
    seed: { type: "string", default: "42" },
  },
});
const FENCES = Number(values.fences);
const TRUCKS = Number(values.trucks);
const FIXES = Number(values.fixes);
const NAIVE_SAMPLE = Number(values.naive);
const rng = seededRandom(Number(values.seed));
const T0 = Date.UTC(2026, 0, 5, 6);
const INTERVAL_MS = 10_000;

// ---- fences over the Netherlands: 40% circles (sites, 50 m .. 2 km), 35% polygons and
// multipolygons (zones 0.5 .. 10 km across, some with holes), 25% corridors (road-like routes
// 1 .. 30 km); default debounce, some with a dwell threshold or a speed limit.
const fences: Geofence[] = Array.from({ length: FENCES }, (_, i) => ({
  id: `fence-${i}`,
  version: 1,
  name: `Fence ${i}`,
  tags: [],
  enabled: true,
  geometry: randomGeometry(rng, NL_REGION),
  speedLimitKmh: rng() < 0.3 ? 30 + Math.floor(rng() * 6) * 10 : null,
  dwellSeconds: rng() < 0.3 ? 300 : null,
  debounce: { fixes: 3, seconds: 20 },
  createdAt: T0 - 86_400_000,
  updatedAt: T0 - 86_400_000,
}));
const builtAt = performance.now();
const index = new GeofenceIndex();
for (const fence of fences) index.upsert(fence);
index.candidates(0, 0, 0, 0, T0); // builds the tree
const buildMs = performance.now() - builtAt;

// ---- trucks: random start in the region, heading and speed; one fix every 10 s each, in
// event-time order (round robin), moving along with a slowly turning heading.
const [minLon, minLat, maxLon, maxLat] = NL_REGION;
const lon = new Float64Array(TRUCKS);
const lat = new Float64Array(TRUCKS);
const heading = new Float64Array(TRUCKS);
const speed = new Float64Array(TRUCKS);
for (let i = 0; i < TRUCKS; i++) {
  lon[i] = minLon + rng() * (maxLon - minLon);
  lat[i] = minLat + rng() * (maxLat - minLat);
  heading[i] = rng() * 2 * Math.PI;
  speed[i] = rng() < 0.2 ? 0 : 20 + rng() * 90;
}
const ids = Array.from({ length: TRUCKS }, (_, i) => `T-${String(i).padStart(6, "0")}`);
const fixes: FixLike[] = new Array(FIXES);
for (let n = 0; n < FIXES; n++) {
  const i = n % TRUCKS;
  const round = Math.floor(n / TRUCKS);
  const metres = ((speed[i] as number) / 3.6) * (INTERVAL_MS / 1000);
  heading[i] = (heading[i] as number) + (rng() - 0.5) * 0.4;
  lat[i] = (lat[i] as number) + (metres * Math.cos(heading[i] as number)) / 111_195;
  lon[i] =
    (lon[i] as number) +
    (metres * Math.sin(heading[i] as number)) /
      (111_195 * Math.cos(((lat[i] as number) * Math.PI) / 180));
  if ((lat[i] as number) < minLat || (lat[i] as number) > maxLat)
    heading[i] = Math.PI - (heading[i] as number);
  if ((lon[i] as number) < minLon || (lon[i] as number) > maxLon)
    heading[i] = -(heading[i] as number);
  fixes[n] = {
    truckId: ids[i] as string,
    seq: round,
    lat: lat[i] as number,
    lon: lon[i] as number,
    speedKmh: Math.max(0, (speed[i] as number) + (rng() - 0.5) * 10),
    eventTime: T0 + round * INTERVAL_MS + Math.floor((i / TRUCKS) * INTERVAL_MS),
  };
}

// ---- indexed matcher + state machine, one core. The first round (every truck's first fix)
// warms up the JIT and the truck map; the rest is timed.
const alerter = new GeofenceAlerter(index);
const out: GeofenceAlert[] = [];
const warm = Math.min(TRUCKS, FIXES / 4);
for (let n = 0; n < warm; n++) alerter.process(fixes[n] as FixLike, out);
let alerts = out.length;
out.length = 0;
const started = performance.now();
const cpuStarted = process.cpuUsage();
for (let n = warm; n < FIXES; n++) {
  alerter.process(fixes[n] as FixLike, out);
  if (out.length > 10_000) {
    alerts += out.length;
    out.length = 0;
  }
}
const seconds = (performance.now() - started) / 1000;
const cpuSeconds = process.cpuUsage(cpuStarted).user / 1e6;
alerts += out.length;
const timed = FIXES - warm;
const value = timed / seconds;

// ---- naive baseline: every fence tested with turf for each fix, no index (on a sample: it is
// slow), point in polygon for polygons, haversine for circles, point-to-line for corridors.
type Naive = (pt: Feature<Point>) => boolean;
function naiveTest(g: GeofenceGeometry): Naive {
  switch (g.type) {
    case "Polygon": {
      const f = polygon(g.coordinates);
      return (pt) => booleanPointInPolygon(pt, f);
    }
    case "MultiPolygon": {
      const f = multiPolygon(g.coordinates);
      return (pt) => booleanPointInPolygon(pt, f);
    }
    case "Circle": {
      const c = point(g.center);
      return (pt) => distance(c, pt, { units: "meters" }) <= g.radiusM;
    }
    case "Corridor": {
      const line = lineString(g.coordinates);
      return (pt) => pointToLineDistance(pt, line, { units: "meters" }) <= g.bufferM;
    }
  }
}
const naive = fences.map((fence) => naiveTest(fence.geometry));
const sample = fixes.slice(FIXES - NAIVE_SAMPLE);
let naiveMatches = 0;
let disagreements = 0;
const naiveStarted = performance.now();
for (const fix of sample) {
  const pt = point([fix.lon, fix.lat]);
  let matched = 0;
  for (const test of naive) if (test(pt)) matched++;
  naiveMatches += matched;
  if (matched !== index.containing(fix.lat, fix.lon, fix.eventTime).length) disagreements++;
}
const naiveSeconds = (performance.now() - naiveStarted) / 1000;
const baseline = sample.length / naiveSeconds;

console.log(
  `geofence: ${FENCES} fences (index built in ${buildMs.toFixed(0)} ms), ${TRUCKS} trucks, ` +
    `${timed} fixes in ${seconds.toFixed(2)} s = ${Math.round(value)} fixes/s ` +
    `(${cpuSeconds.toFixed(2)} s of CPU, all threads), ${alerts} alerts; ` +
    `naive turf over all fences: ${sample.length} fixes in ${naiveSeconds.toFixed(2)} s = ` +
    `${baseline.toFixed(1)} fixes/s (${naiveMatches} matches, ${disagreements} disagreements)`,
);
console.log(
  JSON.stringify({
    bench: "geofence",
    metric: "fixes_per_second",
    value: Math.round(value),
    unit: "fixes/s",
    baseline: Number(baseline.toFixed(1)),
    ratio: Number((value / baseline).toFixed(1)),
    fences: FENCES,
    trucks: TRUCKS,
    fixes: timed,
    alerts,
    duplicatesOrStale: alerter.stats.duplicates + alerter.stats.stale,
    naiveSample: sample.length,
    disagreements,
    indexBuildMs: Math.round(buildMs),
  }),
);
