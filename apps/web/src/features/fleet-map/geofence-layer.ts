import type { Geofence, Occupancy } from "@fleetstream/contracts";
import * as L from "leaflet";
import { fenceColour } from "../geofences/geofence-store";
import { corridorWeight, lineToLatLngs, ringsToLatLngs } from "./geofence-shapes";
import { labelsToShow } from "./label-declutter";
import { escapeHtml } from "./truck-marker-html";

interface Drawn {
  fence: Geofence;
  group: L.FeatureGroup;
  /** Corridors: the buffer drawn as a wide round-capped line, resized on zoom. */
  buffer?: L.Polyline;
}

/**
 * Every geofence on the map in its tag's colour, with a label naming it and how many trucks are
 * inside now. Click selects; the selected fence is drawn thicker. A fence being edited is hidden
 * here (the editor draws it). Labels that would cover one another are thinned out after every
 * move, zoom and change: the selected fence's label first, then the fences with the most trucks
 * inside.
 */
export class GeofenceLayer {
  readonly #map: L.Map;
  readonly #pane: string;
  readonly #drawn = new Map<string, Drawn>();
  readonly #onSelect: (id: string) => void;
  #selected: string | null = null;
  #hidden: string | null = null;
  #occupancy: Occupancy = {};
  /** The frame a label declutter is asked for, if one is. */
  #declutterFrame: number | undefined;

  constructor(map: L.Map, onSelect: (id: string) => void) {
    this.#map = map;
    this.#onSelect = onSelect;
    this.#pane = "geofences";
    const pane = map.getPane(this.#pane) ?? map.createPane(this.#pane);
    pane.style.zIndex = "410";
    map.on("zoomend", this.#resizeBuffers);
    map.on("zoomend moveend", this.#declutterSoon);
  }

  setFences(fences: readonly Geofence[]): void {
    const keep = new Set(fences.map((f) => f.id));
    for (const [id, drawn] of this.#drawn) {
      if (!keep.has(id)) {
        drawn.group.remove();
        this.#drawn.delete(id);
      }
    }
    for (const fence of fences) {
      const current = this.#drawn.get(fence.id);
      if (
        current &&
        current.fence.version === fence.version &&
        current.fence.updatedAt === fence.updatedAt
      ) {
        continue;
      }
      current?.group.remove();
      this.#draw(fence);
    }
    this.#restyle();
    this.#declutterSoon();
  }

  setOccupancy(occupancy: Occupancy): void {
    this.#occupancy = occupancy;
    for (const drawn of this.#drawn.values()) this.#label(drawn);
    this.#declutterSoon();
  }

  select(id: string | null): void {
    this.#selected = id;
    this.#restyle();
    this.#declutterSoon();
  }

  /** Hides one fence (while the editor shows it), or none. */
  hide(id: string | null): void {
    this.#hidden = id;
    for (const [fenceId, drawn] of this.#drawn) {
      const visible = fenceId !== id;
      if (visible && !this.#map.hasLayer(drawn.group)) drawn.group.addTo(this.#map);
      if (!visible) drawn.group.remove();
    }
    this.#declutterSoon();
  }

  bounds(id: string): L.LatLngBounds | undefined {
    return this.#drawn.get(id)?.group.getBounds();
  }

  destroy(): void {
    this.#map.off("zoomend", this.#resizeBuffers);
    this.#map.off("zoomend moveend", this.#declutterSoon);
    if (this.#declutterFrame !== undefined) cancelAnimationFrame(this.#declutterFrame);
    for (const drawn of this.#drawn.values()) drawn.group.remove();
    this.#drawn.clear();
  }

  #draw(fence: Geofence): void {
    const colour = fenceColour(fence);
    const style: L.PathOptions = {
      pane: this.#pane,
      color: colour,
      fillColor: colour,
      weight: 2,
      fillOpacity: 0.15,
    };
    const group = L.featureGroup();
    const g = fence.geometry;
    let buffer: L.Polyline | undefined;
    if (g.type === "Polygon") {
      group.addLayer(L.polygon(ringsToLatLngs(g.coordinates), style));
    } else if (g.type === "MultiPolygon") {
      group.addLayer(
        L.polygon(
          g.coordinates.map((p) => ringsToLatLngs(p)),
          style,
        ),
      );
    } else if (g.type === "Circle") {
      group.addLayer(L.circle([g.center[1], g.center[0]], { ...style, radius: g.radiusM }));
    } else {
      const line = lineToLatLngs(g.coordinates);
      buffer = L.polyline(line, { ...style, opacity: 0.25, lineCap: "round", lineJoin: "round" });
      group.addLayer(buffer);
      group.addLayer(L.polyline(line, { ...style, weight: 2, dashArray: "6 4" }));
    }
    group.on("click", (event) => {
      L.DomEvent.stopPropagation(event);
      this.#onSelect(fence.id);
    });
    const drawn: Drawn = { fence, group, ...(buffer ? { buffer } : {}) };
    this.#drawn.set(fence.id, drawn);
    this.#label(drawn);
    if (fence.id !== this.#hidden) group.addTo(this.#map);
    this.#resizeBuffer(drawn);
  }

  #label(drawn: Drawn): void {
    const inside = this.#occupancy[drawn.fence.id]?.length ?? 0;
    const text =
      `<span class="fence-label__name">${escapeHtml(drawn.fence.name)}</span>` +
      `<span class="fence-label__count">${inside} inside</span>`;
    // The same element when it exists: it keeps its place and whether it is covered.
    if (drawn.group.getTooltip()) {
      drawn.group.setTooltipContent(text);
      return;
    }
    drawn.group.bindTooltip(text, {
      permanent: true,
      direction: "center",
      className: `fence-label${drawn.fence.enabled ? "" : " fence-label--disabled"}`,
    });
  }

  #restyle(): void {
    for (const [id, drawn] of this.#drawn) {
      const selected = id === this.#selected;
      drawn.group.eachLayer((layer) => {
        if (layer instanceof L.Path && layer !== drawn.buffer) {
          layer.setStyle({
            weight: selected ? 4 : 2,
            fillOpacity: selected ? 0.3 : drawn.fence.enabled ? 0.15 : 0.05,
            dashArray: drawn.fence.enabled
              ? layer instanceof L.Polygon || layer instanceof L.Circle
                ? ""
                : "6 4"
              : "4 4",
          });
        }
      });
      if (selected) drawn.group.bringToFront();
    }
  }

  /** Declutters in the next frame: once per burst of changes, after Leaflet placed the labels. */
  readonly #declutterSoon = () => {
    if (this.#declutterFrame !== undefined) return;
    this.#declutterFrame = requestAnimationFrame(() => {
      this.#declutterFrame = undefined;
      this.#declutter();
    });
  };

  #declutter(): void {
    const inside = (d: Drawn) => this.#occupancy[d.fence.id]?.length ?? 0;
    const order = [...this.#drawn.values()].sort(
      (a, b) =>
        Number(b.fence.id === this.#selected) - Number(a.fence.id === this.#selected) ||
        inside(b) - inside(a),
    );
    const labels = order.map((d) => d.group.getTooltip()?.getElement());
    // All boxes read before any class changes: one layout, not one per label.
    const show = labelsToShow(labels.map((label) => label?.getBoundingClientRect()));
    for (const [i, label] of labels.entries())
      label?.classList.toggle("fence-label--covered", !show[i]);
  }

  readonly #resizeBuffers = () => {
    for (const drawn of this.#drawn.values()) this.#resizeBuffer(drawn);
  };

  #resizeBuffer(drawn: Drawn): void {
    if (!drawn.buffer || drawn.fence.geometry.type !== "Corridor") return;
    const lat = drawn.buffer.getBounds().getCenter().lat;
    drawn.buffer.setStyle({
      weight: corridorWeight(drawn.fence.geometry.bufferM, lat, this.#map.getZoom()),
    });
  }
}
