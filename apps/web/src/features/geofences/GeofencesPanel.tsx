"use client";

import { useMemo } from "react";
import { useStore } from "zustand";
import { shapeLabel } from "../fleet-map/geofence-shapes";
import { useCan, useConsole, useView } from "../shell/console-context";
import type { DrawKind, EditorStore } from "./editor-store";
import { fenceColour, tagColour } from "./geofence-store";

const DRAW: { kind: DrawKind; label: string }[] = [
  { kind: "Polygon", label: "Draw polygon" },
  { kind: "Rectangle", label: "Draw rectangle" },
  { kind: "Circle", label: "Draw circle" },
  { kind: "Corridor", label: "Draw corridor" },
];

/** Every geofence with its tags, shape and how many trucks are inside; draw buttons. */
export function GeofencesPanel({ editor }: { editor: EditorStore }) {
  const { live } = useConsole();
  const fences = useStore(live.geofences, (s) => s.fences);
  const occupancy = useStore(live.geofences, (s) => s.occupancy);
  const selected = useView((s) => s.fence);
  const selectFence = useView((s) => s.selectFence);
  const drawing = useStore(editor, (s) => s.draft?.drawing ?? null);
  const tags = useMemo(() => [...new Set(fences.flatMap((f) => f.tags))].sort(), [fences]);
  const canEdit = useCan("dispatcher");

  return (
    <div className="geofences">
      {canEdit ? (
        <fieldset className="draw-tools">
          <legend className="visually-hidden">Draw a new geofence</legend>
          {DRAW.map(({ kind, label }) => (
            <button
              key={kind}
              type="button"
              className="button"
              aria-pressed={drawing === kind}
              onClick={() => editor.getState().startDraw(kind)}
            >
              {label}
            </button>
          ))}
        </fieldset>
      ) : null}
      {drawing ? (
        <p className="hint" role="status">
          {drawing === "Circle"
            ? "Click the centre on the map, then click again at the radius."
            : drawing === "Rectangle"
              ? "Click one corner on the map, then the opposite corner."
              : drawing === "Corridor"
                ? "Click the points of the route on the map; click the last point again to finish."
                : "Click the corners on the map; click the first corner again to close it."}{" "}
          Escape cancels.
        </p>
      ) : null}
      {tags.length > 0 ? (
        <ul className="legend" aria-label="Tag colours">
          {tags.map((t) => (
            <li key={t}>
              <span className="swatch" style={{ background: tagColour(t) }} aria-hidden="true" />
              {t}
            </li>
          ))}
        </ul>
      ) : null}
      {fences.length === 0 ? (
        <p className="empty">No geofences yet: draw one on the map, or POST /api/geofences.</p>
      ) : (
        <ul className="fence-list" aria-label="Geofences">
          {fences.map((fence) => {
            const inside = occupancy[fence.id]?.length ?? 0;
            return (
              <li key={fence.id}>
                <button
                  type="button"
                  className={`fence-row${fence.id === selected ? " is-selected" : ""}`}
                  aria-current={fence.id === selected ? "true" : undefined}
                  onClick={() => selectFence(fence.id)}
                >
                  <span
                    className="swatch"
                    style={{ background: fenceColour(fence) }}
                    aria-hidden="true"
                  />
                  <span className="fence-row__name">{fence.name}</span>
                  <span className="fence-row__count">{inside} inside</span>
                  <span className="fence-row__meta">
                    {shapeLabel(fence.geometry)}
                    {fence.enabled ? "" : " · disabled"}
                    {fence.tags.length > 0 ? ` · ${fence.tags.join(", ")}` : ""}
                  </span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
