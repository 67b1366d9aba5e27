"use client";

import { useStore } from "zustand";
import type { EditorStore } from "../geofences/editor-store";
import { GeofenceDetail } from "../geofences/GeofenceDetail";
import { GeofenceForm } from "../geofences/GeofenceForm";
import { TruckDetail } from "../truck-detail/TruckDetail";
import { useView } from "./console-context";

/** The details drawer: the geofence being drawn or edited, else the selected truck or fence. */
export function Drawer({ editor }: { editor: EditorStore }) {
  const truck = useView((s) => s.truck);
  const fence = useView((s) => s.fence);
  const closeDetail = useView((s) => s.closeDetail);
  const editing = useStore(editor, (s) => s.draft !== null);
  if (!editing && !truck && !fence) return null;
  return (
    <aside className="drawer" aria-label="Details">
      {editing ? null : (
        <button
          type="button"
          className="drawer__close"
          onClick={closeDetail}
          aria-label="Close details"
        >
          ×
        </button>
      )}
      {editing ? (
        <GeofenceForm editor={editor} />
      ) : truck ? (
        <TruckDetail truckId={truck} />
      ) : fence ? (
        <GeofenceDetail fenceId={fence} editor={editor} />
      ) : null}
    </aside>
  );
}
