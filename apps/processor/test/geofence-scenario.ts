import { type Geofence, GpsFix } from "@fleetstream/contracts";
import { GeofenceAlerter, GeofenceIndex } from "@fleetstream/geofence";
import { seededRandom } from "@fleetstream/geofence/testing";
import { createEventStream, type Emission, NO_FAULTS } from "@fleetstream/simulator";
import { geofence, metresToDeg } from "./geofence-helpers";

/**
 * A seeded simulator run (duplicates and reordering on) with geofences placed where its trucks
 * go: sites around where trucks stand (DWELL), zones and corridors with speed limits (OVERSPEED),
 * tiny gates between two fixes of a moving truck (CROSSED), polygons with holes. The expected
 * alerts come from the pure state machine over the same records in the same order.
 */
export interface Scenario {
  /** Records to produce, in order (key = truck id). */
  records: { key: string; value: string }[];
  fences: Geofence[];
  /** Alert ids the processor must store, each exactly once. */
  expected: string[];
  byKind: Record<string, number>;
  duplicates: number;
  reordered: number;
}

export interface ScenarioOptions {
  /** Prefix making this run's truck and fence ids unique. */
  prefix: string;
  seed: number;
  trucks: number;
  fixes: number;
  /** Event time of the first fix. */
  startTime: number;
}

export function geofenceScenario(options: ScenarioOptions): Scenario {
  const { prefix, seed } = options;
  const stream = createEventStream({
    trucks: options.trucks,
    intervalMs: 5_000,
    startTime: options.startTime,
    seed,
    gpsNoiseM: 4,
    maxFixes: options.fixes,
    faults: { ...NO_FAULTS, duplicateRate: 0.05, reorderRate: 0.05, reorderWindowMs: 20_000 },
  });
  const emissions: Emission[] = [];
  for (let e = stream.next(); e; e = stream.next()) emissions.push(e);

  // Unique truck ids per run; a duplicate stays byte-identical to its original.
  const records: Scenario["records"] = [];
  const fixes: GpsFix[] = [];
  let duplicates = 0;
  let reordered = 0;
  for (const e of emissions) {
    if (e.value === null) continue;
    const fix = GpsFix.parse(JSON.parse(e.value));
    const renamed = { ...fix, truckId: `${prefix}${fix.truckId}` };
    records.push({ key: renamed.truckId, value: JSON.stringify(renamed) });
    fixes.push(renamed);
    if (e.injected === "duplicate") duplicates++;
    if (e.injected === "reordered") reordered++;
  }

  // Fences where the trucks are: from each truck's fixes in event-time order.
  const rng = seededRandom(seed);
  const tracks = new Map<string, GpsFix[]>();
  for (const fix of fixes) {
    const track = tracks.get(fix.truckId) ?? [];
    track.push(fix);
    tracks.set(fix.truckId, track);
  }
  const trackList = [...tracks.values()].map((t) => t.sort((a, b) => a.eventTime - b.eventTime));
  const pickTrack = () => trackList[Math.floor(rng() * trackList.length)] as GpsFix[];
  const pick = <T>(items: readonly T[]) => items[Math.floor(rng() * items.length)] as T;
  const createdAt = options.startTime - 60_000;
  const fences: Geofence[] = [];
  const id = () => `${prefix}f${fences.length}`;

  // Sites around where trucks stand still (loading at the start): ENTER, DWELL.
  for (let i = 0; i < 8; i++) {
    const still = pickTrack().filter((f) => f.speedKmh < 3);
    const at = pick(still.length > 0 ? still : pickTrack());
    fences.push(
      geofence(
        id(),
        { type: "Circle", center: [at.lon, at.lat], radiusM: 150 + rng() * 250 },
        createdAt,
        {
          dwellSeconds: 60,
          speedLimitKmh: i % 2 === 0 ? 20 : null,
        },
      ),
    );
  }
  // Zones on the road with a speed limit: ENTER, EXIT, OVERSPEED.
  for (let i = 0; i < 8; i++) {
    const moving = pickTrack().filter((f) => f.speedKmh > 40);
    const at = pick(moving.length > 0 ? moving : pickTrack());
    fences.push(
      geofence(
        id(),
        { type: "Circle", center: [at.lon, at.lat], radiusM: 300 + rng() * 1_200 },
        createdAt,
        {
          speedLimitKmh: 50,
          debounce: { fixes: 2, seconds: 5 },
        },
      ),
    );
  }
  // Gates between two fixes of a fast truck: CROSSED.
  for (let i = 0; i < 8; i++) {
    const track = pickTrack();
    const k = track.findIndex((f, j) => j > 0 && j >= track.length * rng() && f.speedKmh > 60);
    const a = track[k - 1];
    const b = track[k];
    if (!a || !b) continue;
    fences.push(
      geofence(
        id(),
        { type: "Circle", center: [(a.lon + b.lon) / 2, (a.lat + b.lat) / 2], radiusM: 15 },
        createdAt,
      ),
    );
  }
  // Corridors along a stretch of road: ENTER, EXIT, OVERSPEED.
  for (let i = 0; i < 5; i++) {
    const track = pickTrack();
    const from = Math.floor(rng() * track.length * 0.6);
    const line = track.slice(from, from + 40).filter((_, j) => j % 4 === 0);
    if (line.length < 2) continue;
    fences.push(
      geofence(
        id(),
        {
          type: "Corridor",
          coordinates: line.map((f) => [f.lon, f.lat]),
          bufferM: 40 + rng() * 40,
        },
        createdAt,
        { speedLimitKmh: 60 },
      ),
    );
  }
  // Squares with a hole around a point of a drive.
  for (let i = 0; i < 5; i++) {
    const at = pick(pickTrack());
    const d = metresToDeg(at.lat);
    const square = (m: number): [number, number][] => [
      [at.lon - d.lon(m), at.lat - d.lat(m)],
      [at.lon + d.lon(m), at.lat - d.lat(m)],
      [at.lon + d.lon(m), at.lat + d.lat(m)],
      [at.lon - d.lon(m), at.lat + d.lat(m)],
      [at.lon - d.lon(m), at.lat - d.lat(m)],
    ];
    fences.push(
      geofence(
        id(),
        { type: "Polygon", coordinates: [square(600), square(100).reverse()] },
        createdAt,
      ),
    );
  }

  const index = new GeofenceIndex();
  for (const fence of fences) index.upsert(fence);
  const alerter = new GeofenceAlerter(index);
  const alerts: import("@fleetstream/contracts").GeofenceAlert[] = [];
  for (const fix of fixes) alerter.process(fix, alerts);
  const byKind: Record<string, number> = {};
  for (const alert of alerts) byKind[alert.kind] = (byKind[alert.kind] ?? 0) + 1;
  return { records, fences, expected: alerts.map((a) => a.id), byKind, duplicates, reordered };
}
