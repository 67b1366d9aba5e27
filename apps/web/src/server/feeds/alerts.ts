import {
  type AlertAcknowledgement,
  type AlertView,
  GeofenceAlert,
  TOPICS,
} from "@fleetstream/contracts";
import { AlertsView } from "../views/alerts-view";
import { createTopicReader, type LiveFeed, type TopicReaderOptions } from "./live-feed";

export type AlertsFeed = LiveFeed & {
  readonly view: AlertsView;
  /** Records an acknowledgement (already persisted) and tells every browser. */
  acknowledged(ack: AlertAcknowledgement): void;
};

export interface AlertsFeedOptions extends Omit<TopicReaderOptions, "handlers"> {
  /** Acknowledgements of these alerts, from the database (a browser's first view shows them). */
  loadAcknowledgements?(alertIds: string[]): Promise<AlertAcknowledgement[]>;
  /** How many recent alerts a connecting browser gets (500). */
  recentCount?: number;
}

/**
 * Alerts: truck_geofence_alerts → recent alerts and fence occupancy → `alerts:recent:v1` and
 * `geofences:occupancy:v1` on connect, then `alerts:new:v1` as alerts are raised,
 * `alerts:acknowledged:v1` as dispatchers acknowledge them, occupancy when it changes.
 */
export function createAlertsFeed(options: AlertsFeedOptions): AlertsFeed {
  const view = new AlertsView(options.recentCount ?? 500);
  const logger = options.logger.child({ feed: "alerts" });
  const reader = createTopicReader("alerts", {
    ...options,
    handlers: [
      {
        spec: TOPICS.truckGeofenceAlerts,
        schema: GeofenceAlert,
        accept: (alert: GeofenceAlert, record) => view.add(alert, record.timestamp),
      },
    ],
  });
  let pendingAcks: AlertAcknowledgement[] = [];

  return {
    ...reader,
    view,
    acknowledged(ack) {
      view.acknowledge(ack);
      pendingAcks.push(ack);
      options.onChange?.();
    },
    flush(io) {
      const fresh = view.takeNew();
      if (fresh.length > 0) io.emit("alerts:new:v1", fresh);
      for (const ack of pendingAcks) io.emit("alerts:acknowledged:v1", ack);
      pendingAcks = [];
      const occupancy = view.takeOccupancyChange();
      if (occupancy) io.emit("geofences:occupancy:v1", occupancy);
    },
    async connect(socket) {
      socket.emit("geofences:occupancy:v1", view.occupancy());
      let recent: AlertView[] = view.recent();
      if (options.loadAcknowledgements && recent.length > 0) {
        try {
          const acks = new Map(
            (await options.loadAcknowledgements(recent.map((a) => a.id))).map((a) => [
              a.alertId,
              a,
            ]),
          );
          recent = recent.map((alert) => {
            const ack = acks.get(alert.id);
            return ack && !alert.acknowledged
              ? { ...alert, acknowledged: { by: ack.by, at: ack.at } }
              : alert;
          });
        } catch (error) {
          logger.warn({ err: error }, "could not load acknowledgements; sending alerts without");
        }
      }
      socket.emit("alerts:recent:v1", recent);
    },
  };
}
