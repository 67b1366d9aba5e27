import type { GpsFix } from "@fleetstream/contracts";
import { offsetM } from "./geo";
import type { RoadClass } from "./leg";
import { createStreams, type Random } from "./random";
import { builtInRegion } from "./region";
import { type RoutePlanner, regionPlanner } from "./routes";
import { type Activity, Truck } from "./truck";

export interface FleetOptions {
  trucks: number;
  /** Simulated time between two fixes of one truck, ms. */
  intervalMs: number;
  /** Simulated start time, epoch ms. */
  startTime: number;
  seed: number;
  /** GPS position noise, standard deviation in metres per axis (clamped at 3 sd); 0 = exact. */
  gpsNoiseM: number;
  /** Where trucks drive; default: the built-in region. */
  planner?: RoutePlanner;
}

/** A fix plus the simulator's ground truth, for tests and the run summary. */
export interface SimFix {
  fix: GpsFix;
  truck: number;
  activity: Activity;
  roadClass: RoadClass;
  limitKmh: number;
  /** True position before noise. */
  trueLon: number;
  trueLat: number;
  trueSpeedKmh: number;
  odometerM: number;
}

/** A fleet emitting fixes in event-time order; infinite. */
export interface Fleet {
  readonly size: number;
  readonly description: string;
  /** Event time of the fix `next()` will return. */
  peekTime(): number;
  next(): SimFix;
}

/** Speed noise (km/h sd) per metre of position noise. */
export const SPEED_NOISE_PER_M = 0.1;

/** Truck ids: T-0001 ... (at least 4 digits, wider for larger fleets). */
export function truckId(index: number, fleetSize: number): string {
  return `T-${String(index + 1).padStart(Math.max(4, String(fleetSize).length), "0")}`;
}

const round = (x: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

/** A normal draw clamped to +-3 sd, so noise is bounded (tests and consumers can rely on it). */
const clampedNormal = (random: Random) => Math.max(-3, Math.min(3, random.normal()));

/**
 * Stream indices: 0 = faults (see faults.ts), 1 = fleet schedule, 2 + 2i = truck i's driving,
 * 3 + 2i = truck i's GPS noise. A truck's streams depend only on the seed and its index, so adding
 * trucks does not change the others, and changing the noise does not change where trucks drive.
 */
export const STREAM_FAULTS = 0;
const STREAM_SCHEDULE = 1;
const FIRST_TRUCK_STREAM = 2;

/**
 * The fleet: every truck reports every `intervalMs` of simulated time, at its own phase within
 * the interval (so reports are spread evenly, not in bursts). Fixes come out in event-time order,
 * ties broken by phase then truck index, which makes the sequence a pure function of the options.
 * `seq` starts at the start time in whole seconds and grows by one per fix, so a restarted
 * simulator continues above the numbers of an earlier run (consumers drop seq <= last seen).
 */
export function createFleet(options: FleetOptions): Fleet {
  const { trucks: size, intervalMs, startTime, gpsNoiseM } = options;
  const planner = options.planner ?? regionPlanner(builtInRegion());
  const streams = createStreams(options.seed, FIRST_TRUCK_STREAM + 2 * size);
  const schedule = streams[STREAM_SCHEDULE] as Random;
  const phases = Array.from({ length: size }, () => schedule.int(0, intervalMs - 1));
  const order = Array.from({ length: size }, (_, i) => i).sort(
    (a, b) => (phases[a] as number) - (phases[b] as number) || a - b,
  );
  const fleet: Truck[] = [];
  const randoms: Random[] = [];
  const ids: string[] = [];
  for (let i = 0; i < size; i++) {
    randoms.push(streams[FIRST_TRUCK_STREAM + 2 * i + 1] as Random);
    fleet.push(new Truck(i, planner, streams[FIRST_TRUCK_STREAM + 2 * i] as Random, startTime));
    ids.push(truckId(i, size));
  }
  const seqBase = Math.floor(startTime / 1000);
  const speedNoise = gpsNoiseM * SPEED_NOISE_PER_M;
  let round_ = 0;
  let position = 0;

  const timeOf = (truck: number) => startTime + (phases[truck] as number) + round_ * intervalMs;

  return {
    size,
    description: planner.description,
    peekTime: () => timeOf(order[position] as number),
    next(): SimFix {
      const index = order[position] as number;
      const eventTime = timeOf(index);
      const seq = seqBase + round_;
      position++;
      if (position === size) {
        position = 0;
        round_++;
      }
      const truck = fleet[index] as Truck;
      const random = randoms[index] as Random;
      truck.advanceTo(eventTime);
      const state = truck.state();
      let lon = state.lon;
      let lat = state.lat;
      let speedKmh = state.speedMs * 3.6;
      if (gpsNoiseM > 0) {
        [lon, lat] = offsetM(
          [lon, lat],
          clampedNormal(random) * gpsNoiseM,
          clampedNormal(random) * gpsNoiseM,
        );
        if (state.speedMs > 0)
          speedKmh = Math.max(0, speedKmh + clampedNormal(random) * speedNoise);
      }
      let headingDeg = round(state.headingDeg, 1);
      if (headingDeg >= 360) headingDeg = 0;
      const fix: GpsFix = {
        v: 1,
        truckId: ids[index] as string,
        seq,
        lat: round(lat, 6),
        lon: round(lon, 6),
        speedKmh: round(speedKmh, 1),
        headingDeg,
        eventTime,
        accuracyM: gpsNoiseM,
      };
      return {
        fix,
        truck: index,
        activity: state.activity,
        roadClass: state.roadClass,
        limitKmh: state.limitMs * 3.6,
        trueLon: state.lon,
        trueLat: state.lat,
        trueSpeedKmh: state.speedMs * 3.6,
        odometerM: state.odometerM,
      };
    },
  };
}
