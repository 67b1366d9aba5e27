"use client";

import type {
  ClientToServerEvents,
  ServerToClientEvents,
  ViewportSubscription,
} from "@fleetstream/contracts";
import { useEffect, useState } from "react";
import { io, type Socket } from "socket.io-client";
import { type AlertStore, createAlertStore } from "../alerts/alert-store";
import { openingViewport } from "../fleet-map/opening-view";
import { createGeofenceStore, type GeofenceStore } from "../geofences/geofence-store";
import { FleetClientStore } from "./fleet-client-store";
import { createWindowsStore, type WindowsStore } from "./windows-store";

type FleetSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** The browser's live copies of every channel, fed by one socket.io connection. */
export interface Live {
  fleet: FleetClientStore;
  alerts: AlertStore;
  geofences: GeofenceStore;
  windows: WindowsStore;
  /** Follow a truck's (or fence's) speed windows; null stops. Survives reconnects. */
  watchTruck(truckId: string | null): void;
  watchGeofence(geofenceId: string | null): void;
  /** The map's area and followed trucks: the fleet channel sends only what is there. */
  setViewport(viewport: ViewportSubscription): void;
}

/**
 * `?trucks=dom` in the page's URL: the map benchmark's baseline, the dashboard as it was before
 * the viewport stream — every truck's every update (v1 events) on one DOM marker each.
 */
export function isDomBaseline(): boolean {
  return new URLSearchParams(window.location.search).get("trucks") === "dom";
}

/**
 * The stores, and `connect()` which opens the socket.io connection to the web server (same
 * origin) and feeds them; it returns the function that closes it. socket.io reconnects by
 * itself; every (re)connect brings fresh snapshots, and the watches are sent again (rooms do not
 * outlive a connection).
 */
export function createLive(): Live & { connect(): () => void } {
  const fleet = new FleetClientStore();
  const alerts = createAlertStore();
  const geofences = createGeofenceStore();
  const windows = createWindowsStore();
  let socket: FleetSocket | undefined;
  let truck: string | null = null;
  let geofence: string | null = null;
  let viewport: ViewportSubscription | null = null;
  /** The viewport the last handshake carried: the server streams it from the connection on. */
  let viewportOfHandshake: ViewportSubscription | null = null;
  let stopWatchingNetwork = () => {};

  return {
    fleet,
    alerts,
    geofences,
    windows,
    watchTruck(id) {
      if (id === truck) return;
      truck = id;
      windows.getState().watchTruck(id);
      socket?.emit("truck:watch:v1", id);
    },
    watchGeofence(id) {
      if (id === geofence) return;
      geofence = id;
      windows.getState().watchGeofence(id);
      socket?.emit("geofence:watch:v1", id);
    },
    setViewport(next) {
      viewport = next;
      fleet.setViewport(next);
      if (socket?.connected) socket.emit("fleet:viewport:v1", next); // else sent on connect
    },
    connect() {
      // Open already (the page's early connection): hand back the way to close it.
      if (socket) return closer(socket);
      // The viewport-scoped fleet stream (v2): nothing until the map says where it looks.
      const wholeFleet = isDomBaseline();
      markOnce("fleet:socket-opening");
      const s: FleetSocket = io({
        // WebSocket first: one handshake to the first view instead of polling's three requests
        // and an upgrade; long-polling still serves a network that blocks WebSockets.
        transports: ["websocket", "polling"],
        tryAllTransports: true,
        reconnectionDelayMax: 5_000,
        // Asked at every (re)connect: the map's area goes with the handshake, so the first view
        // comes back with the connection.
        auth: (send) => {
          viewportOfHandshake = wholeFleet ? null : viewport;
          send(wholeFleet ? {} : { fleet: "viewport", ...(viewport ? { viewport } : {}) });
        },
      });
      socket = s;
      s.on("connect", () => {
        markOnce("fleet:socket-connected");
        fleet.setConnection("live");
        if (truck) s.emit("truck:watch:v1", truck);
        if (geofence) s.emit("geofence:watch:v1", geofence);
        // The map moved while the handshake was under way (or it carried none).
        if (viewport && viewport !== viewportOfHandshake) s.emit("fleet:viewport:v1", viewport);
      });
      s.on("disconnect", (reason) => {
        fleet.setConnection("reconnecting");
        // A server-side disconnect (e.g. a deploy) is not retried automatically.
        if (reason === "io server disconnect") s.connect();
      });
      // Fires for every failed attempt, including the first: the client keeps retrying.
      s.on("connect_error", (error) => {
        // The session ended (signed out, expired, removed): back to the sign-in page.
        if (error.message.startsWith("unauthorized")) {
          window.location.assign(`/sign-in?next=${encodeURIComponent(window.location.pathname)}`);
          return;
        }
        fleet.setConnection("reconnecting");
      });
      // The browser knows first when its network goes: a WebSocket may stay open for the ping
      // timeout (45 s) before socket.io notices. Closing the transport shows the banner at once
      // and starts socket.io's reconnect loop, which brings fresh snapshots when the network is back.
      const onOffline = () => s.io.engine?.close();
      window.addEventListener("offline", onOffline);
      stopWatchingNetwork = () => window.removeEventListener("offline", onOffline);
      s.on("fleet:snapshot:v1", (positions) => fleet.applySnapshot(positions, Date.now()));
      s.on("fleet:positions:v1", (positions) => fleet.applyPositions(positions, Date.now()));
      s.on("fleet:view:v2", (batch) => {
        markOnce("fleet:first-view");
        fleet.applyView(batch, Date.now());
      });
      s.on("fleet:changes:v2", (batch) => fleet.applyChanges(batch, Date.now()));
      s.on("alerts:recent:v1", (list) => alerts.getState().receiveRecent(list));
      s.on("alerts:new:v1", (list) => alerts.getState().receiveNew(list));
      s.on("alerts:acknowledged:v1", (ack) => alerts.getState().acknowledged(ack));
      s.on("geofences:snapshot:v1", (list) => geofences.getState().receiveFences(list));
      s.on("geofences:occupancy:v1", (o) => geofences.getState().receiveOccupancy(o));
      s.on("windows:fleet:v1", (list) => windows.getState().receiveFleet(list));
      s.on("windows:truck:v1", (list) => windows.getState().receiveTruck(list));
      s.on("windows:geofence:v1", (list) => windows.getState().receiveGeofence(list));
      return closer(s);
    },
  };

  function closer(s: FleetSocket): () => void {
    return () => {
      stopWatchingNetwork();
      if (socket === s) socket = undefined;
      s.removeAllListeners();
      s.disconnect();
    };
  }
}

/** A performance mark the first time only: where a page's first render spends its time (the map
 * benchmark reads them beside `fleet:first-render`). */
function markOnce(name: string): void {
  if (performance.getEntriesByName(name).length === 0) performance.mark(name);
}

/**
 * The console page's Live, connecting as soon as this module runs in the browser (as the page
 * hydrates): the socket's handshake and sign-in check then overlap the rest of hydration and the
 * map's loading instead of following them. Taken by the first `useLive`.
 */
let preconnected: ReturnType<typeof createLive> | undefined;
if (typeof window !== "undefined") {
  preconnected = createLive();
  // The area the map will open on, so the first view is on its way before the map exists.
  if (!isDomBaseline())
    preconnected.setViewport(openingViewport(window.innerWidth, window.innerHeight));
  preconnected.connect();
}

/** One Live for the page's lifetime, connected while mounted. */
export function useLive(): Live {
  const [live] = useState(() => {
    const early = preconnected;
    preconnected = undefined;
    return early ?? createLive();
  });
  useEffect(() => live.connect(), [live]);
  return live;
}
