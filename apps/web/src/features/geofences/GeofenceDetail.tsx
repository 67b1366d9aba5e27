"use client";

import type { ScopeSpeedWindow } from "@fleetstream/contracts";
import { useEffect, useMemo, useState } from "react";
import { useStore } from "zustand";
import { formatClock } from "../../shared/time";
import { shapeLabel } from "../fleet-map/geofence-shapes";
import { ApiError, getJson, sendJson } from "../live/api";
import { useCan, useConsole, useView } from "../shell/console-context";
import { GeofenceSpeedChart } from "../truck-detail/SpeedChart";
import type { EditorStore } from "./editor-store";
import { fenceColour } from "./geofence-store";

/** One geofence: settings, trucks inside now, its windows of the last hour, edit and delete. */
export function GeofenceDetail({ fenceId, editor }: { fenceId: string; editor: EditorStore }) {
  const { live, timeZone } = useConsole();
  const fence = useStore(live.geofences, (s) => s.byId.get(fenceId));
  const inside = useStore(live.geofences, (s) => s.occupancy[fenceId]);
  const windows = useStore(live.windows, (s) =>
    s.geofence.id === fenceId ? s.geofence.windows : null,
  );
  const alerts = useStore(live.alerts, (s) => s.list);
  const selectTruck = useView((s) => s.selectTruck);
  const selectFence = useView((s) => s.selectFence);
  const [confirming, setConfirming] = useState(false);
  const canEdit = useCan("dispatcher");
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    setConfirming(false);
    getJson<{ windows: ScopeSpeedWindow[] }>(
      `/api/geofences/${encodeURIComponent(fenceId)}/windows`,
      controller.signal,
    )
      .then((r) => live.windows.getState().receiveGeofence(r.windows))
      .catch(() => {});
    return () => controller.abort();
  }, [fenceId, live]);

  const recent = useMemo(
    () => alerts.filter((a) => a.geofenceId === fenceId).slice(0, 8),
    [alerts, fenceId],
  );

  if (!fence) {
    return (
      <article className="detail" aria-label="Geofence">
        <h2>Geofence</h2>
        <p>Loading, or this geofence no longer exists.</p>
      </article>
    );
  }

  const remove = async () => {
    try {
      await sendJson("DELETE", `/api/geofences/${encodeURIComponent(fence.id)}`);
      selectFence(null);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  };

  return (
    <article className="detail" aria-label={`Geofence ${fence.name}`}>
      <h2>
        <span className="swatch" style={{ background: fenceColour(fence) }} aria-hidden="true" />{" "}
        {fence.name}
      </h2>
      <dl className="facts">
        <dt>Shape</dt>
        <dd>{shapeLabel(fence.geometry)}</dd>
        <dt>Tags</dt>
        <dd>{fence.tags.length > 0 ? fence.tags.join(", ") : "—"}</dd>
        <dt>Enabled</dt>
        <dd>{fence.enabled ? "yes" : "no"}</dd>
        <dt>Speed limit</dt>
        <dd>{fence.speedLimitKmh === null ? "—" : `${fence.speedLimitKmh} km/h`}</dd>
        <dt>Dwell</dt>
        <dd>{fence.dwellSeconds === null ? "—" : `${fence.dwellSeconds} s`}</dd>
        <dt>Debounce</dt>
        <dd>
          {fence.debounce.fixes} fixes, {fence.debounce.seconds} s
        </dd>
        <dt>Version</dt>
        <dd>
          {fence.version}, since {formatClock(fence.updatedAt, timeZone)}
        </dd>
      </dl>
      <section aria-label="Trucks inside">
        <h3>Inside now: {inside?.length ?? 0}</h3>
        {inside && inside.length > 0 ? (
          <ul className="chips">
            {inside.map((id) => (
              <li key={id}>
                <button type="button" className="chip" onClick={() => selectTruck(id)}>
                  {id}
                </button>
              </li>
            ))}
          </ul>
        ) : null}
      </section>
      <section aria-label="Windows">
        <h3>Speed windows, last hour</h3>
        <GeofenceSpeedChart
          windows={windows ?? []}
          insideNow={inside?.length ?? 0}
          timeZone={timeZone}
        />
      </section>
      <section aria-label="Alerts of this fence">
        <h3>Recent alerts</h3>
        {recent.length === 0 ? (
          <p className="muted">None seen yet.</p>
        ) : (
          <ul className="mini-alerts">
            {recent.map((a) => (
              <li key={a.id}>
                <span className={`kind kind--${a.kind}`}>{a.kind}</span> {a.truckId}{" "}
                {formatClock(a.eventTime, timeZone)}
              </li>
            ))}
          </ul>
        )}
      </section>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      {canEdit ? (
        <div className="actions">
          <button
            type="button"
            className="button"
            onClick={() => editor.getState().startEdit(fence)}
          >
            Edit geofence
          </button>
          {confirming ? (
            <>
              <button type="button" className="button button--danger" onClick={() => void remove()}>
                Confirm delete
              </button>
              <button type="button" className="button" onClick={() => setConfirming(false)}>
                Keep it
              </button>
            </>
          ) : (
            <button type="button" className="button" onClick={() => setConfirming(true)}>
              Delete geofence
            </button>
          )}
        </div>
      ) : null}
    </article>
  );
}
