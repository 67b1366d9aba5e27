"use client";

import type { AlertView, TruckSpeedWindow } from "@fleetstream/contracts";
import { useEffect, useMemo, useState, useSyncExternalStore } from "react";
import { useStore } from "zustand";
import {
  formatAge,
  formatClock,
  formatDateTime,
  formatDuration,
  formatSpeed,
} from "../../shared/time";
import { truckStatus } from "../../shared/truck-status";
import { compassPoint } from "../fleet-map/truck-marker-html";
import { getJson } from "../live/api";
import { INITIAL_SUMMARY } from "../live/fleet-client-store";
import { formatLatency } from "../live/latency";
import { useConsole, useNow, useView } from "../shell/console-context";
import { TruckSpeedChart } from "./SpeedChart";

const REPLAY_MS = 10 * 60_000;
const serverSummary = () => INITIAL_SUMMARY;

/**
 * One truck: its latest fix with honest freshness (event time, processing lag, age; an event
 * time ahead of this clock is said to be), status, the fences it is inside now, its recent
 * alerts, the speed chart of its last hour, and a shortcut to replay its last 10 minutes.
 */
export function TruckDetail({ truckId }: { truckId: string }) {
  const { live, config, timeZone } = useConsole();
  const now = useNow(1000);
  const summary = useSyncExternalStore(
    live.fleet.subscribeSummary,
    live.fleet.getSummary,
    serverSummary,
  );
  const position = live.fleet.get(truckId);
  const inside = useStore(live.geofences, (s) => s.insideOf.get(truckId));
  const fences = useStore(live.geofences, (s) => s.byId);
  const alerts = useStore(live.alerts, (s) => s.list);
  const windows = useStore(live.windows, (s) => (s.truck.id === truckId ? s.truck.windows : null));
  const selectFence = useView((s) => s.selectFence);
  const selectAlert = useView((s) => s.selectAlert);
  const startReplay = useView((s) => s.startReplay);
  const [history, setHistory] = useState<AlertView[]>([]);
  const [missing, setMissing] = useState(false);

  useEffect(() => {
    const controller = new AbortController();
    setHistory([]);
    setMissing(false);
    const id = encodeURIComponent(truckId);
    getJson<{ recentAlerts: AlertView[] }>(`/api/trucks/${id}`, controller.signal)
      .then((r) => setHistory(r.recentAlerts))
      .catch((e: unknown) => {
        if ((e as { status?: number }).status === 404) setMissing(true);
      });
    getJson<{ windows: TruckSpeedWindow[] }>(`/api/trucks/${id}/windows`, controller.signal)
      .then((r) => live.windows.getState().receiveTruck(r.windows))
      .catch(() => {});
    return () => controller.abort();
  }, [truckId, live]);

  const recent = useMemo(() => {
    const byId = new Map<string, AlertView>();
    for (const a of history) byId.set(a.id, a);
    for (const a of alerts) if (a.truckId === truckId) byId.set(a.id, a);
    // Most recently raised first (not by event time: a device whose clock jumped would hide them).
    return [...byId.values()].sort((a, b) => b.raisedAt - a.raisedAt).slice(0, 10);
  }, [history, alerts, truckId]);

  if (!position) {
    return (
      <article className="detail" aria-label={`Truck ${truckId}`}>
        <h2>Truck {truckId}</h2>
        <p>{missing ? "This truck is unknown." : "No position for this truck yet."}</p>
      </article>
    );
  }
  const status = truckStatus(position, now, config.offlineAfterMs);
  const stale = status === "offline" || summary.connection !== "live";
  const lag = position.processedAt - position.eventTime;
  const shownAfter = live.fleet.shownAfter(truckId);

  return (
    <article className={`detail${stale ? " is-stale" : ""}`} aria-label={`Truck ${truckId}`}>
      <h2>
        Truck {truckId} <span className={`status status--${status}`}>{status}</span>
      </h2>
      {summary.connection !== "live" ? (
        <p className="stale-note">Not live: showing the last data received.</p>
      ) : null}
      <dl className="facts">
        <dt>Speed</dt>
        <dd>{formatSpeed(position.speedKmh)}</dd>
        <dt>Heading</dt>
        <dd>
          {Math.round(position.headingDeg)}° {compassPoint(position.headingDeg)}
        </dd>
        <dt>Position</dt>
        <dd>
          {position.lat.toFixed(5)}, {position.lon.toFixed(5)}
        </dd>
        <dt>Last fix (event time)</dt>
        <dd>
          <time dateTime={new Date(position.eventTime).toISOString()}>
            {formatDateTime(position.eventTime, timeZone)}
          </time>
        </dd>
        <dt>Age</dt>
        <dd data-testid="fix-age">{formatAge(position.eventTime, now)}</dd>
        <dt>Processing lag</dt>
        <dd>
          {lag >= 0
            ? `processed ${formatDuration(lag)} after its event time`
            : `processed ${formatDuration(lag)} before its event time (the event time is ahead of the processor's clock)`}
        </dd>
        <dt>On screen</dt>
        <dd
          data-testid="fix-shown-after"
          title="When this browser received the fix minus when the processor handled it; assumes this browser's clock agrees with the servers'"
        >
          {shownAfter === undefined
            ? "with the page's first data (not timed)"
            : `${formatLatency(shownAfter)} after processing`}
        </dd>
      </dl>
      <section aria-label="Inside geofences">
        <h3>Inside now</h3>
        {inside && inside.length > 0 ? (
          <ul className="chips">
            {inside.map((id) => (
              <li key={id}>
                <button type="button" className="chip" onClick={() => selectFence(id)}>
                  {fences.get(id)?.name ?? id}
                </button>
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">No geofence.</p>
        )}
      </section>
      <section aria-label="Speed">
        <h3>Speed, last hour</h3>
        <TruckSpeedChart
          windows={windows ?? []}
          thresholdKmh={config.speedingThresholdKmh}
          timeZone={timeZone}
        />
      </section>
      <section aria-label="Recent alerts">
        <h3>Recent alerts</h3>
        {recent.length === 0 ? (
          <p className="muted">None.</p>
        ) : (
          <ul className="mini-alerts">
            {recent.map((a) => (
              <li key={a.id}>
                <button type="button" className="link" onClick={() => selectAlert(a)}>
                  <span className={`kind kind--${a.kind}`}>{a.kind}</span>{" "}
                  {fences.get(a.geofenceId)?.name ?? a.geofenceId.slice(0, 8)}{" "}
                  {formatClock(a.eventTime, timeZone)}
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
      <div className="actions">
        <button
          type="button"
          className="button"
          onClick={() =>
            startReplay({
              trucks: [truckId],
              from: position.eventTime - REPLAY_MS,
              to: position.eventTime + 1000,
            })
          }
        >
          Replay last 10 min
        </button>
      </div>
    </article>
  );
}
