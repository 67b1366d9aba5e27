import { type Leg, pointAt, type RoadClass, segmentAt } from "./leg";
import type { Random } from "./random";
import type { RoutePlanner } from "./routes";

/** Vehicle dynamics of a loaded articulated truck. */
export const KINEMATICS = {
  /** Acceleration, m/s^2 (0 -> 80 km/h in ~45 s). */
  accelMs2: 0.5,
  /** Strongest braking a driver uses, m/s^2. */
  brakeMs2: 1.0,
  /** Braking a driver plans with (ahead of limits and stops), keeping a reserve, m/s^2. */
  planBrakeMs2: 0.9,
  /** Integration step, ms: speed is piecewise linear between steps. */
  stepMs: 1_000,
  /** How far ahead a driver looks for lower limits and stops, metres (> braking distance). */
  lookaheadM: 700,
  /** Cruise speed as a share of the road-class limit: drawn per truck in this range. */
  cruiseShare: [0.9, 1.0] as const,
} as const;

/** Stop durations in simulated minutes. */
export const STOPS = {
  /** Loading at the depot before the first departure. */
  initialLoadingMin: [0, 5] as const,
  /** Unloading at a customer, or loading at the depot. */
  deliveryMin: [10, 30] as const,
  /** Driving time before a rest break (EU: 45 min break after at most 4.5 h). */
  driveBeforeRestMin: [150, 270] as const,
  restMin: 45,
} as const;

export type Activity = "driving" | "loading" | "delivery" | "rest";

/** The true state of a truck at an instant (before GPS noise). */
export interface TruckState {
  lon: number;
  lat: number;
  speedMs: number;
  headingDeg: number;
  activity: Activity;
  roadClass: RoadClass;
  /** Speed limit where the truck is, m/s. */
  limitMs: number;
  /** Total distance driven, metres. */
  odometerM: number;
  leg: Leg;
}

/**
 * One truck, stepped forward in simulated time. Speed follows the road-class cruise speed,
 * accelerates and brakes at bounded rates, and brakes ahead of lower limits and of stops so it
 * never exceeds the limit of the segment it is on. Stops: delivery at each leg end, a rest break
 * after a few hours of driving.
 */
export class Truck {
  private leg: Leg;
  private segment = 0;
  private s = 0;
  private v = 0;
  private heading: number;
  private activity: Activity = "loading";
  private stopUntil: number;
  private drivenMs = 0;
  private restPoint: number | null = null;
  private odometer = 0;
  private readonly cruiseShare: number;
  private readonly driveBeforeRestMs: number;

  constructor(
    private readonly index: number,
    private readonly planner: RoutePlanner,
    private readonly random: Random,
    private timeMs: number,
  ) {
    this.cruiseShare = random.between(...KINEMATICS.cruiseShare);
    this.driveBeforeRestMs = random.between(...STOPS.driveBeforeRestMin) * 60_000;
    this.leg = planner.first(index, random);
    this.heading = this.leg.bearingDeg[0] ?? 0;
    this.stopUntil = timeMs + Math.round(random.between(...STOPS.initialLoadingMin) * 60_000);
  }

  /** Steps the truck forward to `toMs` (never backwards). */
  advanceTo(toMs: number): void {
    while (this.timeMs < toMs) {
      const dtMs = Math.min(KINEMATICS.stepMs, toMs - this.timeMs);
      if (this.activity === "driving") this.drive(dtMs / 1000);
      else if (this.timeMs + dtMs >= this.stopUntil) this.depart();
      this.timeMs += dtMs;
    }
  }

  state(): TruckState {
    const [lon, lat] = pointAt(this.leg, this.s, this.segment);
    return {
      lon,
      lat,
      speedMs: this.v,
      headingDeg: this.heading,
      activity: this.activity,
      roadClass: this.leg.roadClass[this.segment] as RoadClass,
      limitMs: this.leg.limitMs[this.segment] as number,
      odometerM: this.odometer,
      leg: this.leg,
    };
  }

  private depart(): void {
    if (this.activity === "delivery") {
      this.leg = this.planner.next(this.index, this.leg, this.random);
      this.s = 0;
      this.segment = 0;
    }
    this.activity = "driving";
    this.heading = this.leg.bearingDeg[this.segment] ?? this.heading;
  }

  /** Where the truck means to stop on this leg: a rest point or the leg end. */
  private stopAt(): number {
    return this.restPoint ?? this.leg.lengthM;
  }

  /**
   * Highest speed for the end of this step such that, after moving (v + vNext) / 2 * dt, the
   * truck can still brake at `brakeMs2` to `vLimit` within the distance `d` that is left.
   */
  private static allowed(v: number, d: number, vLimit: number, dt: number): number {
    const b = KINEMATICS.planBrakeMs2;
    const disc = b * b * dt * dt + 4 * (vLimit * vLimit + 2 * b * d - b * v * dt);
    return disc <= 0 ? 0 : (-b * dt + Math.sqrt(disc)) / 2;
  }

  private drive(dt: number): void {
    const leg = this.leg;
    const stopAt = this.stopAt();
    let target = (leg.limitMs[this.segment] as number) * this.cruiseShare;
    // Lower limits ahead (entering segment j at its class limit, or slower for a sharp turn at its
    // first vertex) and the stop point.
    for (let j = this.segment + 1; j < leg.limitMs.length; j++) {
      const d = (leg.cumM[j] as number) - this.s;
      if (d > KINEMATICS.lookaheadM || (leg.cumM[j] as number) >= stopAt) break;
      const limit = Math.min(
        (leg.limitMs[j] as number) * this.cruiseShare,
        leg.turnLimitMs[j] as number,
      );
      if (limit < target) target = Math.min(target, Truck.allowed(this.v, d, limit, dt));
    }
    const toStop = stopAt - this.s;
    if (toStop <= KINEMATICS.lookaheadM)
      target = Math.min(target, Truck.allowed(this.v, toStop, 0, dt));

    const v0 = this.v;
    const v1 =
      v0 < target
        ? Math.min(target, v0 + KINEMATICS.accelMs2 * dt)
        : Math.max(target, v0 - KINEMATICS.brakeMs2 * dt, 0);
    let moved = ((v0 + v1) / 2) * dt;
    this.v = v1;
    if (this.s + moved >= stopAt - 0.5) {
      moved = Math.max(0, stopAt - this.s);
      this.s = stopAt;
      this.odometer += moved;
      this.drivenMs += dt * 1000;
      this.segment = segmentAt(leg, Math.min(this.s, leg.lengthM - 1e-6), this.segment);
      this.arrive();
      return;
    }
    this.s += moved;
    this.odometer += moved;
    this.drivenMs += dt * 1000;
    this.segment = segmentAt(leg, this.s, this.segment);
    if (moved > 0) this.heading = leg.bearingDeg[this.segment] as number;
    if (this.restPoint === null && this.drivenMs >= this.driveBeforeRestMs) this.planRest();
  }

  /** Picks a lay-by past the braking distance, unless the leg ends soon anyway. */
  private planRest(): void {
    const point = this.s + (this.v * this.v) / (2 * KINEMATICS.planBrakeMs2) + 200;
    if (point < this.leg.lengthM - 5_000) this.restPoint = point;
  }

  private arrive(): void {
    this.v = 0;
    const atRestPoint = this.restPoint !== null && this.s < this.leg.lengthM;
    this.restPoint = null;
    let minutes: number;
    if (atRestPoint) {
      this.activity = "rest";
      minutes = STOPS.restMin;
    } else {
      this.activity = "delivery";
      minutes = this.random.between(...STOPS.deliveryMin);
      // A long drive ends with the legal break taken during the stop.
      if (this.drivenMs >= this.driveBeforeRestMs) minutes = Math.max(minutes, STOPS.restMin);
    }
    if (minutes >= STOPS.restMin) this.drivenMs = 0;
    // The stop starts at the end of this step; rounding keeps times integral.
    this.stopUntil = this.timeMs + Math.round(minutes * 60_000);
  }
}
