import type {
  AlertAcknowledgement,
  AlertView,
  Geofence,
  GeofenceAlertKind,
} from "@fleetstream/contracts";
import { createStore } from "zustand/vanilla";

/** Newest first: by event time, then id (the REST history's order, so pages merge). */
export function byNewestAlert(a: AlertView, b: AlertView): number {
  return b.eventTime - a.eventTime || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

export interface AlertFilter {
  types: GeofenceAlertKind[];
  fence: string | null;
  tag: string | null;
  truck: string | null;
}

export const NO_ALERT_FILTER: AlertFilter = { types: [], fence: null, tag: null, truck: null };

/** Whether an alert passes the filter; the tag is the fence's current tag (as the REST API). */
export function matchesAlert(
  alert: AlertView,
  filter: AlertFilter,
  fences: ReadonlyMap<string, Geofence>,
): boolean {
  if (filter.types.length > 0 && !filter.types.includes(alert.kind)) return false;
  if (filter.fence && alert.geofenceId !== filter.fence) return false;
  if (filter.truck && !alert.truckId.toLowerCase().includes(filter.truck.toLowerCase())) {
    return false;
  }
  if (filter.tag && !fences.get(alert.geofenceId)?.tags.includes(filter.tag)) return false;
  return true;
}

export interface AlertsState {
  /** Every alert this page knows (live and loaded history), by id. */
  byId: ReadonlyMap<string, AlertView>;
  /** The same, newest first. */
  list: readonly AlertView[];
  /** Alerts that arrived live while the Alerts tab was not shown. */
  unread: number;
  /** Whether the Alerts tab is on screen (new alerts are read as they arrive). */
  viewing: boolean;
}

export interface AlertsActions {
  /** The server's recent alerts on (re)connect. Not unread: they are not news. */
  receiveRecent(alerts: readonly AlertView[]): void;
  /** Newly raised alerts. */
  receiveNew(alerts: readonly AlertView[]): void;
  /** A page of history from REST. */
  receiveHistory(alerts: readonly AlertView[]): void;
  acknowledged(ack: AlertAcknowledgement): void;
  setViewing(viewing: boolean): void;
}

export type AlertStore = ReturnType<typeof createAlertStore>;

export function createAlertStore() {
  return createStore<AlertsState & AlertsActions>()((set, get) => {
    /** Adds alerts, keeping an existing acknowledgement; returns how many were new. */
    const merge = (alerts: readonly AlertView[]): number => {
      const byId = new Map(get().byId);
      let added = 0;
      for (const alert of alerts) {
        const current = byId.get(alert.id);
        if (!current) added += 1;
        byId.set(
          alert.id,
          current?.acknowledged && !alert.acknowledged
            ? { ...alert, acknowledged: current.acknowledged }
            : alert,
        );
      }
      set({ byId, list: [...byId.values()].sort(byNewestAlert) });
      return added;
    };
    return {
      byId: new Map(),
      list: [],
      unread: 0,
      viewing: false,
      receiveRecent: (alerts) => {
        merge(alerts);
      },
      receiveNew: (alerts) => {
        const added = merge(alerts);
        if (added > 0 && !get().viewing) set({ unread: get().unread + added });
      },
      receiveHistory: (alerts) => {
        merge(alerts);
      },
      acknowledged: (ack) => {
        const current = get().byId.get(ack.alertId);
        if (!current || current.acknowledged) return;
        merge([{ ...current, acknowledged: { by: ack.by, at: ack.at } }]);
      },
      setViewing: (viewing) => set(viewing ? { viewing, unread: 0 } : { viewing }),
    };
  });
}
