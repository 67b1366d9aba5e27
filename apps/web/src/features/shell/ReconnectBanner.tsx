"use client";

import { useSyncExternalStore } from "react";
import { formatClock } from "../../shared/time";
import { INITIAL_SUMMARY } from "../live/fleet-client-store";
import { useConsole } from "./console-context";

const serverSummary = () => INITIAL_SUMMARY;

/** While the socket is down: says so, and since when the data on screen has not changed. */
export function ReconnectBanner() {
  const { live, timeZone } = useConsole();
  const summary = useSyncExternalStore(
    live.fleet.subscribeSummary,
    live.fleet.getSummary,
    serverSummary,
  );
  if (summary.connection !== "reconnecting") return null;
  return (
    <div className="banner banner--warning" role="alert">
      Connection to the server lost — reconnecting…{" "}
      {summary.lastUpdateAt === null
        ? "No data received yet."
        : `What you see is as of ${formatClock(summary.lastUpdateAt, timeZone)}; trucks are greyed until it is live again.`}
    </div>
  );
}
