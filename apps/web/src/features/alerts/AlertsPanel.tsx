"use client";

import type { AlertView } from "@fleetstream/contracts";
import { GEOFENCE_ALERT_KINDS } from "@fleetstream/contracts/browser";
import { useCallback, useEffect, useMemo, useState } from "react";
import { useStore } from "zustand";
import { formatClock, formatDateTime, formatLateness } from "../../shared/time";
import { ApiError, getJson, query, sendJson } from "../live/api";
import { useCan, useConsole, useView } from "../shell/console-context";
import { type AlertFilter, matchesAlert } from "./alert-store";

const MAX_SHOWN = 500;

interface Page {
  alerts: AlertView[];
  next: string | null;
}

const filterQuery = (f: AlertFilter) => ({
  type: f.types.join(","),
  fence: f.fence,
  tag: f.tag,
  truck: null,
});

/**
 * The alert feed: live alerts as they are raised plus history from PostgreSQL (cursor pages),
 * newest first, filtered by type, fence, tag and truck; click one to follow its truck and see its
 * fence; acknowledge it as the signed-in dispatcher (persisted, shown to everyone).
 */
export function AlertsPanel() {
  const { live, timeZone } = useConsole();
  const filter = useView((s) => s.alerts);
  const selectedAlert = useView((s) => s.alert);
  const setFilter = useView((s) => s.setAlertFilter);
  const selectAlert = useView((s) => s.selectAlert);
  const all = useStore(live.alerts, (s) => s.list);
  const fences = useStore(live.geofences, (s) => s.byId);
  const fenceList = useStore(live.geofences, (s) => s.fences);
  const canAcknowledge = useCan("dispatcher");
  const [next, setNext] = useState<string | null | undefined>(undefined);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const loadPage = useCallback(
    async (before: string | null) => {
      setLoading(true);
      try {
        const page = await getJson<Page>(
          `/api/alerts${query({ ...filterQuery(filter), before, limit: 100 })}`,
        );
        live.alerts.getState().receiveHistory(page.alerts);
        setNext(page.next);
        setError(null);
      } catch (e) {
        setError(e instanceof Error ? e.message : String(e));
      } finally {
        setLoading(false);
      }
    },
    [filter, live],
  );

  // The first page of history for these filters (the truck filter is a substring: client side).
  useEffect(() => {
    setNext(undefined);
    void loadPage(null);
  }, [loadPage]);

  const shown = useMemo(
    () => all.filter((a) => matchesAlert(a, filter, fences)),
    [all, filter, fences],
  );
  const tags = useMemo(() => [...new Set(fenceList.flatMap((f) => f.tags))].sort(), [fenceList]);

  const acknowledge = async (alert: AlertView) => {
    try {
      const ack = await sendJson<{ alertId: string; by: string; at: number }>(
        "POST",
        `/api/alerts/${encodeURIComponent(alert.id)}/acknowledgement`,
        {},
      );
      live.alerts.getState().acknowledged(ack);
      setError(null);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  };

  const toggleType = (kind: (typeof GEOFENCE_ALERT_KINDS)[number]) =>
    setFilter({
      types: filter.types.includes(kind)
        ? filter.types.filter((k) => k !== kind)
        : [...filter.types, kind],
    });

  return (
    <div className="alerts">
      <fieldset className="filters filters--alerts">
        <legend>Filter alerts</legend>
        <fieldset className="chips">
          <legend className="visually-hidden">Alert types</legend>
          {GEOFENCE_ALERT_KINDS.map((kind) => (
            <button
              key={kind}
              type="button"
              className={`chip kind--${kind}`}
              aria-pressed={filter.types.includes(kind)}
              onClick={() => toggleType(kind)}
            >
              {kind}
            </button>
          ))}
        </fieldset>
        <label className="field">
          <span>Geofence</span>
          <select
            value={filter.fence ?? ""}
            onChange={(e) => setFilter({ fence: e.target.value || null })}
          >
            <option value="">Any geofence</option>
            {fenceList.map((f) => (
              <option key={f.id} value={f.id}>
                {f.name}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Tag</span>
          <select
            value={filter.tag ?? ""}
            onChange={(e) => setFilter({ tag: e.target.value || null })}
          >
            <option value="">Any tag</option>
            {tags.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Truck</span>
          <input
            type="search"
            value={filter.truck ?? ""}
            placeholder="Truck id"
            onChange={(e) => setFilter({ truck: e.target.value || null })}
          />
        </label>
      </fieldset>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <p className="list-count" aria-live="polite">
        {shown.length} alert{shown.length === 1 ? "" : "s"}
      </p>
      <ol className="alert-list" aria-label="Alerts, newest first">
        {shown.slice(0, MAX_SHOWN).map((alert) => {
          const fence = fences.get(alert.geofenceId);
          const fenceName = fence?.name ?? `fence ${alert.geofenceId.slice(0, 8)}`;
          return (
            <li
              key={alert.id}
              className={`alert-row${alert.id === selectedAlert ? " is-selected" : ""}${alert.acknowledged ? " is-acknowledged" : ""}`}
            >
              <button type="button" className="alert-row__main" onClick={() => selectAlert(alert)}>
                <span className={`kind kind--${alert.kind}`}>{alert.kind}</span>{" "}
                <span className="alert-row__truck">{alert.truckId}</span>{" "}
                <span className="alert-row__fence">{fenceName}</span>
              </button>
              <span className="alert-row__time">
                <time
                  dateTime={new Date(alert.eventTime).toISOString()}
                  title={formatDateTime(alert.eventTime, timeZone)}
                >
                  {formatClock(alert.eventTime, timeZone)}
                </time>
                {" · "}
                {formatLateness(alert.eventTime, alert.raisedAt)}
              </span>
              {alert.acknowledged ? (
                <span className="alert-row__ack">
                  Acknowledged by {alert.acknowledged.by} at{" "}
                  {formatClock(alert.acknowledged.at, timeZone)}
                </span>
              ) : canAcknowledge ? (
                <button
                  type="button"
                  className="button button--small"
                  onClick={() => void acknowledge(alert)}
                  aria-label={`Acknowledge ${alert.kind} ${alert.truckId} ${fenceName}`}
                >
                  Acknowledge
                </button>
              ) : null}
            </li>
          );
        })}
      </ol>
      {next ? (
        <button
          type="button"
          className="button"
          disabled={loading}
          onClick={() => void loadPage(next)}
        >
          {loading ? "Loading…" : "Load older alerts"}
        </button>
      ) : next === null ? (
        <p className="list-end">No older alerts.</p>
      ) : null}
    </div>
  );
}
