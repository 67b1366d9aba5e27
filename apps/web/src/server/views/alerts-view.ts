import type {
  AlertAcknowledgement,
  AlertView,
  GeofenceAlert,
  Occupancy,
} from "@fleetstream/contracts";

/** Newest first: by event time, then id (the order of the REST history, so pages merge). */
export function byNewestAlert(a: AlertView, b: AlertView): number {
  return b.eventTime - a.eventTime || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/**
 * The web server's in-memory view of the alert topic: the most recent alerts (for a browser that
 * connects), the ones not pushed yet, and who is inside which fence now.
 *
 * Occupancy follows the alerts: ENTER or DWELL puts a truck inside a fence, EXIT takes it out;
 * per truck and fence only an alert newer (in event time) than the last one applied counts, so a
 * redelivered or replayed alert changes nothing. A deleted or disabled fence loses its trucks
 * (the processor drops its state without an EXIT).
 */
export class AlertsView {
  readonly #capacity: number;
  readonly #recent = new Map<string, AlertView>();
  #pending: AlertView[] = [];
  /** fence id → truck id → event time of the alert that put it inside. */
  readonly #inside = new Map<string, Map<string, number>>();
  /** `${fence}\n${truck}` → event time of the last ENTER/EXIT/DWELL applied. */
  readonly #lastApplied = new Map<string, number>();
  #occupancyChanged = false;

  constructor(capacity = 500) {
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#recent.size;
  }

  /** Records an alert from the topic; false for one already seen. */
  add(alert: GeofenceAlert, raisedAt: number): boolean {
    this.#applyOccupancy(alert);
    if (this.#recent.has(alert.id)) return false;
    const view: AlertView = { ...alert, raisedAt, acknowledged: null };
    this.#recent.set(alert.id, view);
    this.#pending.push(view);
    if (this.#recent.size > this.#capacity) {
      // Maps iterate in insertion order: the first key is the oldest arrival.
      const oldest = this.#recent.keys().next().value;
      if (oldest !== undefined) this.#recent.delete(oldest);
    }
    return true;
  }

  get(id: string): AlertView | undefined {
    return this.#recent.get(id);
  }

  /** The most recent alerts, newest first. */
  recent(): AlertView[] {
    return [...this.#recent.values()].sort(byNewestAlert);
  }

  /** Alerts added since the previous call, newest first (with acknowledgements so far). */
  takeNew(): AlertView[] {
    const taken = this.#pending.map((a) => this.#recent.get(a.id) ?? a);
    this.#pending = [];
    return taken.sort(byNewestAlert);
  }

  /** Overlays an acknowledgement on an alert held here (if it is). */
  acknowledge(ack: AlertAcknowledgement): void {
    const view = this.#recent.get(ack.alertId);
    if (view && !view.acknowledged) {
      this.#recent.set(ack.alertId, { ...view, acknowledged: { by: ack.by, at: ack.at } });
    }
  }

  /** Drops a fence's occupancy (deleted or disabled). */
  dropFence(geofenceId: string): void {
    if (this.#inside.delete(geofenceId)) this.#occupancyChanged = true;
  }

  /** Fences the truck is inside now, sorted. */
  fencesOf(truckId: string): string[] {
    const fences: string[] = [];
    for (const [fenceId, trucks] of this.#inside) if (trucks.has(truckId)) fences.push(fenceId);
    return fences.sort();
  }

  occupancy(): Occupancy {
    const result: Occupancy = {};
    for (const [fenceId, trucks] of this.#inside) {
      if (trucks.size > 0) result[fenceId] = [...trucks.keys()].sort();
    }
    return result;
  }

  /** The occupancy if it changed since the previous call, else undefined. */
  takeOccupancyChange(): Occupancy | undefined {
    if (!this.#occupancyChanged) return undefined;
    this.#occupancyChanged = false;
    return this.occupancy();
  }

  #applyOccupancy(alert: GeofenceAlert): void {
    if (alert.kind !== "ENTER" && alert.kind !== "EXIT" && alert.kind !== "DWELL") return;
    const key = `${alert.geofenceId}\n${alert.truckId}`;
    const last = this.#lastApplied.get(key);
    if (last !== undefined && alert.eventTime <= last) return;
    this.#lastApplied.set(key, alert.eventTime);
    let trucks = this.#inside.get(alert.geofenceId);
    if (alert.kind === "EXIT") {
      if (trucks?.delete(alert.truckId)) this.#occupancyChanged = true;
      return;
    }
    if (!trucks) {
      trucks = new Map();
      this.#inside.set(alert.geofenceId, trucks);
    }
    if (!trucks.has(alert.truckId)) this.#occupancyChanged = true;
    trucks.set(alert.truckId, alert.eventTime);
  }
}
