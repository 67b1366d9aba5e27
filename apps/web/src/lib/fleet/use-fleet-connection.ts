"use client";

import type { ClientToServerEvents, ServerToClientEvents } from "@fleetstream/contracts";
import { useEffect, useState } from "react";
import { io, type Socket } from "socket.io-client";
import { FleetClientStore } from "./fleet-client-store";

/**
 * Opens the socket.io connection to the web server (same origin) and feeds a FleetClientStore.
 * socket.io reconnects by itself; every (re)connect brings a fresh `fleet:snapshot:v1`.
 */
export function useFleetConnection(): FleetClientStore {
  const [store] = useState(() => new FleetClientStore());

  useEffect(() => {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({
      reconnectionDelayMax: 5_000,
    });
    socket.on("connect", () => store.setConnection("live"));
    socket.on("disconnect", (reason) => {
      store.setConnection("reconnecting");
      // A server-side disconnect (e.g. a deploy) is not retried automatically.
      if (reason === "io server disconnect") socket.connect();
    });
    // Fires for every failed attempt, including the first: the client keeps retrying.
    socket.on("connect_error", () => store.setConnection("reconnecting"));
    socket.on("fleet:snapshot:v1", (positions) => store.applySnapshot(positions, Date.now()));
    socket.on("fleet:positions:v1", (positions) => store.applyPositions(positions, Date.now()));
    return () => {
      socket.removeAllListeners();
      socket.disconnect();
    };
  }, [store]);

  return store;
}
