"use client";

import { useMemo, useSyncExternalStore } from "react";
import { formatClock, utcOffset, zoneLabel } from "../../shared/time";
import { FleetKpis } from "../fleet-kpis/FleetKpis";
import { sendJson } from "../live/api";
import { type ConnectionState, INITIAL_SUMMARY } from "../live/fleet-client-store";
import { formatLatency, type LatencyStats } from "../live/latency";
import { useCan, useConsole, useNow } from "./console-context";

const CONNECTION_LABEL: Record<ConnectionState, string> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
};

const serverSummary = () => INITIAL_SUMMARY;

/** Title, fleet KPIs, the clock and zone every time is shown in, connection state, other pages. */
export function Header() {
  const { live, timeZone, config } = useConsole();
  const isAdmin = useCan("admin");
  const summary = useSyncExternalStore(
    live.fleet.subscribeSummary,
    live.fleet.getSummary,
    serverSummary,
  );
  const now = useNow();
  // Once a second, not on every push (the status bar re-renders with each).
  const latency = useMemo(() => live.fleet.latency(now), [live, now]);
  return (
    <header className="header">
      <h1 className="header__title">Fleetstream</h1>
      <nav className="header__nav" aria-label="Pages">
        {isAdmin ? (
          <a href="/admin" title="Users, API keys, audit log; webhooks">
            Admin
          </a>
        ) : null}
        <a href="/api/contracts/openapi.json">API</a>
      </nav>
      <FleetKpis />
      <dl className="header__facts">
        <div>
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
        <div>
          <dt>Latency</dt>
          <dd>
            <output aria-label="Fix-to-screen latency" title={latencyTitle(latency)}>
              {latency
                ? `p50 ${formatLatency(latency.p50)} · p99 ${formatLatency(latency.p99)}`
                : "—"}
            </output>
          </dd>
        </div>
        <div>
          <dt>Time</dt>
          <dd>
            <time dateTime={new Date(now).toISOString()} suppressHydrationWarning>
              {formatClock(now, timeZone)}
            </time>{" "}
            <span
              className="header__zone"
              data-testid="time-zone"
              title={zoneLabel(now, timeZone)}
              suppressHydrationWarning
            >
              <span className="header__zone-name">{timeZone}</span> ({utcOffset(now, timeZone)})
            </span>
          </dd>
        </div>
      </dl>
      <section className="header__account" aria-label="Account">
        <a href="/account" title={`Signed in as ${config.me.label} (account, password)`}>
          <span className="header__email" data-testid="signed-in-as">
            {config.me.label}
          </span>{" "}
          <span className="role-badge" data-testid="role">
            {config.me.role}
          </span>
        </a>{" "}
        <button type="button" className="button button--small" onClick={() => void signOut()}>
          Sign out
        </button>
      </section>
    </header>
  );
}

function latencyTitle(latency: LatencyStats | null): string {
  const what =
    "Fix to screen: when this browser received a position minus when the processor handled it";
  const clocks = "Assumes this browser's clock agrees with the servers'.";
  return latency
    ? `${what}, over the ${latency.count} positions of the last 30 s (median and 99th percentile). ${clocks}`
    : `${what}: no position pushed in the last 30 s. ${clocks}`;
}

/** Ends the session (the server closes this browser's live connection too). */
async function signOut(): Promise<void> {
  await sendJson("POST", "/api/auth/sign-out", {}).catch(() => undefined);
  window.location.assign("/sign-in");
}
