"use client";

import type { AlertView } from "@fleetstream/contracts";
import { useEffect, useRef, useState } from "react";
import { useStore } from "zustand";
import { formatClock, formatDateTime } from "../../shared/time";
import { getJson, query } from "../live/api";
import { useConsole, useView } from "../shell/console-context";
import { REPLAY_SPEEDS } from "../shell/view-state";
import { advance, alertsUntil, timelineFraction } from "./replay-model";
import { type ReplayData, type ReplayDataStore, replayKey } from "./replay-store";

const toLocalInput = (ms: number, timeZone: string) =>
  formatDateTime(ms, timeZone).replace(" ", "T");
/** A datetime-local value is wall time in the browser's zone (the UI's one zone). */
const fromLocalInput = (value: string) => {
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? ms : null;
};

/**
 * History replay: trucks and a time range (from the URL), their trails from /api/replay played
 * on the map with a slider, play/pause and 1x–60x speed; their alerts sit on the timeline and
 * are listed as the replay clock passes them.
 */
export function ReplayBar({ data: dataStore }: { data: ReplayDataStore }) {
  const { timeZone } = useConsole();
  const replay = useView((s) => s.replay);
  const setReplay = useView((s) => s.setReplay);
  const startReplay = useView((s) => s.startReplay);
  const stopReplay = useView((s) => s.stopReplay);
  const { data, loading, error } = useStore(dataStore);
  const [playing, setPlaying] = useState(false);
  const [trucksText, setTrucksText] = useState(replay?.trucks.join(", ") ?? "");
  const [fromText, setFromText] = useState("");
  const [toText, setToText] = useState("");
  const key = replay ? replayKey(replay) : null;

  // Load what the URL asks for.
  // biome-ignore lint/correctness/useExhaustiveDependencies: keyed on the replay's trucks and range
  useEffect(() => {
    if (!replay || !key) return;
    setTrucksText(replay.trucks.join(", "));
    setFromText(toLocalInput(replay.from, timeZone));
    setToText(toLocalInput(replay.to, timeZone));
    if (dataStore.getState().data?.key === key) return;
    const controller = new AbortController();
    dataStore.getState().set({ loading: true, error: null });
    getJson<Omit<ReplayData, "key">>(
      `/api/replay${query({ trucks: replay.trucks.join(","), from: replay.from, to: replay.to })}`,
      controller.signal,
    )
      .then((answer) => dataStore.getState().set({ data: { ...answer, key }, loading: false }))
      .catch((e: unknown) => {
        if (!controller.signal.aborted) {
          dataStore
            .getState()
            .set({ data: null, loading: false, error: e instanceof Error ? e.message : String(e) });
        }
      });
    return () => controller.abort();
  }, [key, timeZone]);

  // Playback: the clock advances by wall time × speed each frame, stopping at the end.
  const replayRef = useRef(replay);
  replayRef.current = replay;
  useEffect(() => {
    if (!playing) return;
    let frame = 0;
    let last = performance.now();
    const tick = (time: number) => {
      const r = replayRef.current;
      if (!r) return;
      const t = advance(r.t ?? r.from, time - last, r.speed, r.to);
      last = time;
      setReplay({ t });
      if (t >= r.to) setPlaying(false);
      else frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(frame);
  }, [playing, setReplay]);

  useEffect(() => () => dataStore.getState().set({ data: null }), [dataStore]);

  if (!replay) return null;
  const t = replay.t ?? replay.from;
  const current = data?.key === key ? data : null;
  const passed: AlertView[] = current ? alertsUntil(current.alerts, t) : [];
  const fixCount = current?.trucks.reduce((n, tr) => n + tr.fixes.length, 0) ?? 0;

  const apply = () => {
    const trucks = trucksText.split(/[\s,]+/).filter(Boolean);
    const from = fromLocalInput(fromText);
    const to = fromLocalInput(toText);
    if (trucks.length === 0 || from === null || to === null || to <= from) {
      dataStore
        .getState()
        .set({ error: "Give at least one truck and a range whose end is after its start." });
      return;
    }
    setPlaying(false);
    startReplay({ trucks, from, to, speed: replay.speed });
  };

  return (
    <section className="replay" aria-label="History replay">
      <div className="replay__setup">
        <label className="field">
          <span>Trucks</span>
          <input
            value={trucksText}
            onChange={(e) => setTrucksText(e.target.value)}
            placeholder="T-0001, T-0002"
          />
        </label>
        <label className="field">
          <span>From</span>
          <input
            type="datetime-local"
            step={1}
            value={fromText}
            onChange={(e) => setFromText(e.target.value)}
          />
        </label>
        <label className="field">
          <span>To</span>
          <input
            type="datetime-local"
            step={1}
            value={toText}
            onChange={(e) => setToText(e.target.value)}
          />
        </label>
        <button type="button" className="button" onClick={apply}>
          Load
        </button>
        <button type="button" className="button" onClick={stopReplay}>
          Close replay
        </button>
      </div>
      <div className="replay__controls">
        <button
          type="button"
          className="button button--primary"
          onClick={() => {
            if (!playing && t >= replay.to) setReplay({ t: replay.from });
            setPlaying(!playing);
          }}
          disabled={!current || fixCount === 0}
        >
          {playing ? "Pause" : "Play"}
        </button>
        <label className="field field--inline">
          <span>Speed</span>
          <select
            value={replay.speed}
            onChange={(e) => setReplay({ speed: Number(e.target.value) })}
          >
            {REPLAY_SPEEDS.map((s) => (
              <option key={s} value={s}>
                {s}x
              </option>
            ))}
          </select>
        </label>
        <output className="replay__clock" aria-label="Replay clock">
          {formatDateTime(t, timeZone)}
        </output>
      </div>
      <div className="replay__timeline">
        <input
          type="range"
          aria-label="Replay time"
          min={replay.from}
          max={replay.to}
          step={1000}
          value={t}
          onChange={(e) => {
            setPlaying(false);
            setReplay({ t: Number(e.target.value) });
          }}
        />
        <div className="replay__ticks">
          {current?.alerts.map((a) => (
            <button
              key={a.id}
              type="button"
              className={`replay__tick kind--${a.kind}${a.eventTime <= t ? " is-passed" : ""}`}
              style={{ left: `${timelineFraction(a.eventTime, replay.from, replay.to) * 100}%` }}
              aria-label={`${a.kind} ${a.truckId} at ${formatClock(a.eventTime, timeZone)}`}
              title={`${a.kind} ${a.truckId} at ${formatClock(a.eventTime, timeZone)}`}
              onClick={() => {
                setPlaying(false);
                setReplay({ t: a.eventTime });
              }}
            />
          ))}
        </div>
      </div>
      <p className="replay__status" aria-live="polite">
        {loading
          ? "Loading…"
          : error
            ? error
            : current
              ? `${current.trucks.length} truck(s), ${fixCount} fixes${current.trucks.some((tr) => tr.truncated) ? " (truncated)" : ""}; ${passed.length} of ${current.alerts.length} alerts so far`
              : ""}
      </p>
      {passed.length > 0 ? (
        <ol className="replay__alerts" aria-label="Replayed alerts">
          {passed
            .slice(-5)
            .reverse()
            .map((a) => (
              <li key={a.id}>
                <span className={`kind kind--${a.kind}`}>{a.kind}</span> {a.truckId}{" "}
                {formatClock(a.eventTime, timeZone)}
              </li>
            ))}
        </ol>
      ) : null}
    </section>
  );
}
