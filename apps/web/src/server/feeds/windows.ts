import {
  isTruckSpeedWindow,
  ScopeSpeedWindow,
  TOPICS,
  TruckSpeedWindow,
  WatchGeofence,
  WatchTruck,
} from "@fleetstream/contracts";
import type { z } from "zod";
import type { WindowsView } from "../views/windows-view";
import {
  createTopicReader,
  type FleetSocket,
  type LiveFeed,
  type TopicReaderOptions,
} from "./live-feed";

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
  const reader = createTopicReader("windows", {
    ...options,
    handlers: [
      {
        spec: TOPICS.truckSpeedWindows,
        schema: TruckSpeedWindow,
        accepts: isTruckSpeedWindow,
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
    ...reader,
    view,
    flush(io) {
      // Only what a browser watches: socket.io encodes a room's message before it looks for
      // members, and after a minute's close nearly every truck has a change nobody watches.
      const rooms = io.sockets.adapter.rooms;
      const changes = view.takeChanges({
        truck: (truckId) => rooms.has(truckRoom(truckId)),
        geofence: (geofenceId) => rooms.has(geofenceRoom(geofenceId)),
      });
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
      watch(socket, WatchTruck, truckRoom, (id) =>
        socket.emit("windows:truck:v1", view.truck(id)),
      ).on("truck:watch:v1");
      watch(socket, WatchGeofence, geofenceRoom, (id) =>
        socket.emit("windows:geofence:v1", view.geofence(id)),
      ).on("geofence:watch:v1");
    },
  };
}

/**
 * One "watch" channel of a socket: a validated id (or null to stop) moves the socket to that id's
 * room and sends what the view has for it; later changes reach the room in `flush`.
 */
function watch(
  socket: FleetSocket,
  schema: z.ZodType<string | null>,
  room: (id: string) => string,
  sendSnapshot: (id: string) => void,
) {
  let watched: string | null = null;
  return {
    on(event: "truck:watch:v1" | "geofence:watch:v1") {
      socket.on(event, (input: unknown) => {
        const parsed = schema.safeParse(input);
        if (!parsed.success) return;
        if (watched) void socket.leave(room(watched));
        watched = parsed.data;
        if (!watched) return;
        void socket.join(room(watched));
        sendSnapshot(watched);
      });
    },
  };
}
