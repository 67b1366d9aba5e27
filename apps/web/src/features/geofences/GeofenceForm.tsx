"use client";

import type { Geofence } from "@fleetstream/contracts";
import { type FormEvent, type ReactNode, useEffect, useState } from "react";
import { useStore } from "zustand";
import { shapeLabel } from "../fleet-map/geofence-shapes";
import { ApiError, sendJson } from "../live/api";
import { useView } from "../shell/console-context";
import type { EditorStore } from "./editor-store";
import {
  type FenceFormValues,
  type FormField,
  fenceInput,
  formValues,
  localProblems,
  problemsByField,
} from "./form-model";

/**
 * Name, tags, enabled, speed limit, dwell and debounce of the fence being drawn or edited (its
 * shape is edited on the map). Saving sends the whole fence; the API's 400 problems appear next
 * to the field they name.
 */
export function GeofenceForm({ editor }: { editor: EditorStore }) {
  const draft = useStore(editor, (s) => s.draft);
  const selectFence = useView((s) => s.selectFence);
  const session = draft?.session;
  const [values, setValues] = useState<FenceFormValues>(() =>
    formValues(draft?.fence ?? null, draft?.geometry ?? null),
  );
  const [errors, setErrors] = useState<Partial<Record<FormField, string[]>>>({});
  const [saving, setSaving] = useState(false);

  // A new draw or edit session starts from the fence's values.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only when the session changes
  useEffect(() => {
    const d = editor.getState().draft;
    setValues(formValues(d?.fence ?? null, d?.geometry ?? null));
    setErrors({});
  }, [session]);

  if (!draft) return null;
  const set = (patch: Partial<FenceFormValues>) => setValues((v) => ({ ...v, ...patch }));
  const title = draft.fence ? `Edit ${draft.fence.name}` : "New geofence";

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!draft.geometry) {
      setErrors({ geometry: ["Draw the shape on the map first."] });
      return;
    }
    const local = localProblems(values);
    if (local.length > 0) {
      setErrors(problemsByField(local));
      return;
    }
    setSaving(true);
    try {
      const body = fenceInput(values, draft.geometry);
      const saved = draft.fence
        ? await sendJson<Geofence>(
            "PUT",
            `/api/geofences/${encodeURIComponent(draft.fence.id)}`,
            body,
          )
        : await sendJson<Geofence>("POST", "/api/geofences", body);
      editor.getState().close();
      selectFence(saved.id);
    } catch (e) {
      if (e instanceof ApiError && e.problems.length > 0) setErrors(problemsByField(e.problems));
      else setErrors({ form: [e instanceof Error ? e.message : String(e)] });
    } finally {
      setSaving(false);
    }
  };

  const field = (
    name: FormField,
    label: string,
    input: (props: {
      id: string;
      "aria-invalid": boolean;
      "aria-describedby"?: string;
    }) => ReactNode,
    hint?: string,
  ) => {
    const id = `fence-${name}`;
    const problems = errors[name];
    return (
      <div className={`field${problems ? " field--invalid" : ""}`}>
        <label htmlFor={id}>{label}</label>
        {input({
          id,
          "aria-invalid": !!problems,
          ...(problems || hint ? { "aria-describedby": `${id}-note` } : {}),
        })}
        {problems ? (
          <span id={`${id}-note`} className="field__error">
            {problems.join("; ")}
          </span>
        ) : hint ? (
          <span id={`${id}-note`} className="field__hint">
            {hint}
          </span>
        ) : null}
      </div>
    );
  };

  return (
    <form className="fence-form" onSubmit={(e) => void submit(e)} aria-label={title} noValidate>
      <h2>{title}</h2>
      <p
        className={`fence-form__shape${errors.geometry ? " field__error" : ""}`}
        id="fence-geometry"
      >
        {draft.drawing
          ? "Drawing on the map…"
          : draft.geometry
            ? `Shape: ${shapeLabel(draft.geometry)} (drag it, move its vertices or resize it on the map)`
            : "No shape yet"}
        {errors.geometry ? ` — ${errors.geometry.join("; ")}` : ""}
      </p>
      {field("name", "Name", (p) => (
        <input {...p} value={values.name} onChange={(e) => set({ name: e.target.value })} />
      ))}
      {field(
        "tags",
        "Tags",
        (p) => (
          <input {...p} value={values.tags} onChange={(e) => set({ tags: e.target.value })} />
        ),
        "Comma-separated; the first tag gives the colour",
      )}
      {draft.geometry?.type === "Corridor"
        ? field("bufferM", "Buffer (m each side)", (p) => (
            <input
              {...p}
              inputMode="decimal"
              value={values.bufferM}
              onChange={(e) => {
                set({ bufferM: e.target.value });
                const m = Number(e.target.value);
                if (Number.isFinite(m) && m > 0) editor.getState().setBuffer(m);
              }}
            />
          ))
        : null}
      <div className="field field--inline">
        <input
          id="fence-enabled"
          type="checkbox"
          checked={values.enabled}
          onChange={(e) => set({ enabled: e.target.checked })}
        />
        <label htmlFor="fence-enabled">Enabled</label>
      </div>
      {field(
        "speedLimitKmh",
        "Speed limit (km/h)",
        (p) => (
          <input
            {...p}
            inputMode="decimal"
            value={values.speedLimitKmh}
            onChange={(e) => set({ speedLimitKmh: e.target.value })}
          />
        ),
        "Empty: no OVERSPEED alerts",
      )}
      {field(
        "dwellSeconds",
        "Dwell (s)",
        (p) => (
          <input
            {...p}
            inputMode="numeric"
            value={values.dwellSeconds}
            onChange={(e) => set({ dwellSeconds: e.target.value })}
          />
        ),
        "Empty: no DWELL alerts",
      )}
      <div className="field-row">
        {field("debounceFixes", "Debounce fixes", (p) => (
          <input
            {...p}
            inputMode="numeric"
            value={values.debounceFixes}
            onChange={(e) => set({ debounceFixes: e.target.value })}
          />
        ))}
        {field("debounceSeconds", "Debounce (s)", (p) => (
          <input
            {...p}
            inputMode="decimal"
            value={values.debounceSeconds}
            onChange={(e) => set({ debounceSeconds: e.target.value })}
          />
        ))}
      </div>
      {errors.form ? (
        <p className="form-error" role="alert">
          {errors.form.join("; ")}
        </p>
      ) : null}
      <div className="actions">
        <button
          type="submit"
          className="button button--primary"
          disabled={saving || !draft.geometry}
        >
          {saving ? "Saving…" : "Save geofence"}
        </button>
        <button type="button" className="button" onClick={() => editor.getState().close()}>
          Cancel
        </button>
      </div>
    </form>
  );
}
