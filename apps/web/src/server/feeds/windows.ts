import {
  ScopeSpeedWindow,
  TOPICS,
  TruckSpeedWindow,
  WatchGeofence,
  WatchTruck,
} from "@fleetstream/contracts";
import type { WindowsView } from "../views/windows-view";
import { createTopicReader, type LiveFeed, type TopicReaderOptions } from "./live-feed";

export type WindowsFeed = LiveFeed & { readonly view: WindowsView };

const truckRoom = (truckId: string) => `truck:${truckId}`;
const geofenceRoom = (geofenceId: string) => `geofence:${geofenceId}`;

/**
 * Speed windows: truck_speed_windows and fleet_speed_windows → the last hour of the fleet's and
 * each fence's windows and every truck's recent tumbling windows → `windows:fleet:v1` to every
 * browser; `windows:truck:v1` / `windows:geofence:v1` only to browsers watching that truck or
 * fence (`truck:watch:v1`, `geofence:watch:v1`), recent ones first, then changes.
 */
export function createWindowsFeed(
  options: Omit<TopicReaderOptions, "handlers"> & { view: WindowsView },
): WindowsFeed {
  const { view } = options;
  const reader = createTopicReader({
    ...options,
    logger: options.logger.child({ feed: "windows" }),
    handlers: [
      {
        spec: TOPICS.truckSpeedWindows,
        schema: TruckSpeedWindow,
        accept: (w: TruckSpeedWindow) => view.applyTruck(w),
      },
      {
        spec: TOPICS.scopeSpeedWindows,
        schema: ScopeSpeedWindow,
        accept: (w: ScopeSpeedWindow) => view.applyScope(w),
      },
    ],
  });

  return {
    name: "windows",
    view,
    start: reader.start,
    stop: reader.stop,
    flush(io) {
      const changes = view.takeChanges();
      if (changes.fleet.length > 0) io.emit("windows:fleet:v1", changes.fleet);
      for (const [truckId, windows] of changes.trucks) {
        io.to(truckRoom(truckId)).emit("windows:truck:v1", windows);
      }
      for (const [geofenceId, windows] of changes.geofences) {
        io.to(geofenceRoom(geofenceId)).emit("windows:geofence:v1", windows);
      }
    },
    connect(socket) {
      socket.emit("windows:fleet:v1", view.fleet());
      let watchedTruck: string | null = null;
      let watchedFence: string | null = null;
      socket.on("truck:watch:v1", (input) => {
        const parsed = WatchTruck.safeParse(input);
        if (!parsed.success) return;
        if (watchedTruck) void socket.leave(truckRoom(watchedTruck));
        watchedTruck = parsed.data;
        if (!watchedTruck) return;
        void socket.join(truckRoom(watchedTruck));
        socket.emit("windows:truck:v1", view.truck(watchedTruck));
      });
      socket.on("geofence:watch:v1", (input) => {
        const parsed = WatchGeofence.safeParse(input);
        if (!parsed.success) return;
        if (watchedFence) void socket.leave(geofenceRoom(watchedFence));
        watchedFence = parsed.data;
        if (!watchedFence) return;
        void socket.join(geofenceRoom(watchedFence));
        socket.emit("windows:geofence:v1", view.geofence(watchedFence));
      });
    },
  };
}
