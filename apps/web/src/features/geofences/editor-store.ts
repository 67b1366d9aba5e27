import type { Geofence, GeofenceGeometry } from "@fleetstream/contracts";
import { createStore } from "zustand/vanilla";

/** What a user draws: a rectangle is saved as a polygon, a line as a corridor. */
export type DrawKind = "Polygon" | "Rectangle" | "Circle" | "Corridor";

export const DEFAULT_CORRIDOR_BUFFER_M = 250;

export interface Draft {
  /** Changes with every startDraw/startEdit, not with edits of the shape. */
  session: number;
  /** The fence being edited, or null for a new one. */
  fence: Geofence | null;
  /** The shape so far; null while the first one is being drawn. */
  geometry: GeofenceGeometry | null;
  /** What is being drawn on the map now (null once drawn). */
  drawing: DrawKind | null;
}

export interface EditorState {
  draft: Draft | null;
  startDraw(kind: DrawKind): void;
  /** The map finished drawing or the user moved/resized the shape. */
  setGeometry(geometry: GeofenceGeometry): void;
  startEdit(fence: Geofence): void;
  /** Corridor buffer from the form (metres); the map redraws it. */
  setBuffer(bufferM: number): void;
  close(): void;
}

export type EditorStore = ReturnType<typeof createEditorStore>;

/** The geofence editor's state, shared by the map (geoman) and the form in the drawer. */
export function createEditorStore() {
  let session = 0;
  return createStore<EditorState>()((set, get) => ({
    draft: null,
    startDraw: (drawing) => {
      session += 1;
      set({ draft: { session, fence: null, geometry: null, drawing } });
    },
    setGeometry: (geometry) => {
      const draft = get().draft;
      if (draft) set({ draft: { ...draft, geometry, drawing: null } });
    },
    startEdit: (fence) => {
      session += 1;
      set({ draft: { session, fence, geometry: fence.geometry, drawing: null } });
    },
    setBuffer: (bufferM) => {
      const draft = get().draft;
      if (draft?.geometry?.type === "Corridor" && bufferM > 0) {
        set({ draft: { ...draft, geometry: { ...draft.geometry, bufferM } } });
      }
    },
    close: () => set({ draft: null }),
  }));
}
