"use client";

import type { ConnectionState, FleetSummary } from "../../lib/fleet/fleet-client-store";

const CONNECTION_LABEL: Record<ConnectionState, string> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
};

export interface StatusBarProps {
  summary: FleetSummary;
  /** A note about the base map, e.g. when tiles are off or unreachable. */
  mapNote: string | null;
}

export function StatusBar({ summary, mapNote }: StatusBarProps) {
  const lastUpdate =
    summary.lastUpdateAt === null
      ? "—"
      : new Date(summary.lastUpdateAt).toLocaleTimeString(undefined, { hour12: false });
  return (
    <header className="status-bar">
      <h1 className="status-bar__title">Fleetstream</h1>
      <dl className="status-bar__facts">
        <div className="status-bar__fact">
          <dt>Connection</dt>
          <dd>
            <output
              className={`connection connection--${summary.connection}`}
              aria-label="Connection"
              data-state={summary.connection}
            >
              {CONNECTION_LABEL[summary.connection]}
            </output>
          </dd>
        </div>
        <div className="status-bar__fact">
          <dt>Trucks</dt>
          <dd data-testid="truck-count">{summary.truckCount}</dd>
        </div>
        <div className="status-bar__fact">
          <dt>Last update</dt>
          <dd>
            <time
              dateTime={
                summary.lastUpdateAt === null
                  ? undefined
                  : new Date(summary.lastUpdateAt).toISOString()
              }
            >
              {lastUpdate}
            </time>
          </dd>
        </div>
      </dl>
      {mapNote ? <p className="status-bar__note">{mapNote}</p> : null}
    </header>
  );
}
