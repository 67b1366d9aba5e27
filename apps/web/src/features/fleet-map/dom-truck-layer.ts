import type { TruckPosition } from "@fleetstream/contracts";
import * as L from "leaflet";
import type { TruckLayer, TruckLayerOptions } from "./truck-layer";
import { truckIconHtml, truckLabel } from "./truck-marker-html";

interface Glide {
  from: L.LatLng;
  to: L.LatLng;
  startedAt: number;
}

interface Entry {
  marker: L.Marker;
  position: TruckPosition;
  glide?: Glide;
  stale: boolean;
}

/**
 * One Leaflet marker per truck, updated in place: the arrow turns to the heading, the marker
 * glides to each new position. Leaflet objects are managed here rather than as React elements
 * so thousands of moving trucks do not re-render React. Stale trucks (offline) are greyed.
 * Slow beyond a few hundred moving trucks: the map draws them with TruckCanvasLayer, and uses
 * this one only with `?trucks=dom` (the benchmarks' baseline).
 */
export class DomTruckLayer implements TruckLayer {
  readonly #map: L.Map;
  readonly #group: L.LayerGroup;
  readonly #entries = new Map<string, Entry>();
  readonly #glideMs: number;
  readonly #reducedMotion: boolean;
  readonly #onSelect: ((truckId: string) => void) | undefined;
  #selected: string | null = null;
  #frame: number | null = null;

  constructor(map: L.Map, options: TruckLayerOptions = {}) {
    this.#map = map;
    this.#group = L.layerGroup().addTo(map);
    this.#glideMs = options.glideMs ?? 450;
    this.#onSelect = options.onSelect;
    this.#reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  }

  get size(): number {
    return this.#entries.size;
  }

  position(truckId: string): TruckPosition | undefined {
    return this.#entries.get(truckId)?.position;
  }

  /** Adds new trucks and moves known ones; `animate: false` jumps (e.g. on a snapshot). */
  upsert(positions: readonly TruckPosition[], { animate = true } = {}): void {
    const now = performance.now();
    for (const position of positions) {
      const entry = this.#entries.get(position.truckId);
      const target = L.latLng(position.lat, position.lon);
      if (!entry) {
        this.#add(position, target);
        continue;
      }
      entry.position = position;
      rotate(entry.marker, position.headingDeg);
      if (animate && !this.#reducedMotion) {
        entry.glide = { from: entry.marker.getLatLng(), to: target, startedAt: now };
      } else {
        entry.glide = undefined;
        entry.marker.setLatLng(target);
      }
    }
    this.#scheduleFrame();
  }

  remove(truckIds: readonly string[]): void {
    for (const truckId of truckIds) {
      const entry = this.#entries.get(truckId);
      if (!entry) continue;
      this.#group.removeLayer(entry.marker);
      this.#entries.delete(truckId);
    }
  }

  /** Marks trucks stale (greyed) or fresh; `isStale` is asked for every truck. */
  refreshStale(isStale: (position: TruckPosition) => boolean): void {
    for (const entry of this.#entries.values()) {
      const stale = isStale(entry.position);
      if (stale === entry.stale) continue;
      entry.stale = stale;
      decorate(entry.marker, entry);
    }
  }

  select(truckId: string | null): void {
    const previous = this.#selected ? this.#entries.get(this.#selected) : undefined;
    this.#selected = truckId;
    if (previous) decorate(previous.marker, previous, false);
    const next = truckId ? this.#entries.get(truckId) : undefined;
    if (next) {
      decorate(next.marker, next, true);
      next.marker.setZIndexOffset(1000);
    }
    if (previous && previous !== next) previous.marker.setZIndexOffset(0);
  }

  setVisible(visible: boolean): void {
    if (visible && !this.#map.hasLayer(this.#group)) this.#group.addTo(this.#map);
    if (!visible) this.#group.remove();
  }

  /** The baseline takes the whole-fleet stream, which never sends counts. */
  setCells(): void {}

  destroy(): void {
    if (this.#frame !== null) cancelAnimationFrame(this.#frame);
    this.#frame = null;
    this.#group.remove();
    this.#entries.clear();
  }

  #add(position: TruckPosition, at: L.LatLng): void {
    const marker = L.marker(at, {
      icon: L.divIcon({
        className: "truck-marker",
        html: truckIconHtml(position.truckId),
        iconSize: [28, 28],
        iconAnchor: [14, 14],
        tooltipAnchor: [0, -14],
      }),
      keyboard: true,
      riseOnHover: true,
      title: "",
    });
    const entry: Entry = { marker, position, stale: false };
    marker.bindTooltip(truckLabel(position.truckId), { direction: "top" });
    marker.on("click", () => this.#onSelect?.(position.truckId));
    // The icon element is (re)created when the marker is added to the map.
    marker.on("add", () => {
      rotate(marker, entry.position.headingDeg);
      decorate(marker, entry, this.#selected === position.truckId);
    });
    this.#entries.set(position.truckId, entry);
    this.#group.addLayer(marker);
  }

  #scheduleFrame(): void {
    if (this.#frame !== null) return;
    this.#frame = requestAnimationFrame((time) => {
      this.#frame = null;
      this.#step(time);
    });
  }

  #step(time: number): void {
    let moving = false;
    for (const entry of this.#entries.values()) {
      const glide = entry.glide;
      if (!glide) continue;
      const t = Math.min(1, Math.max(0, (time - glide.startedAt) / this.#glideMs));
      entry.marker.setLatLng(
        t >= 1
          ? glide.to
          : L.latLng(
              glide.from.lat + (glide.to.lat - glide.from.lat) * t,
              glide.from.lng + (glide.to.lng - glide.from.lng) * t,
            ),
      );
      if (t >= 1) entry.glide = undefined;
      else moving = true;
    }
    if (moving) this.#scheduleFrame();
  }
}

function decorate(marker: L.Marker, entry: Entry, selected?: boolean): void {
  const element = marker.getElement();
  if (!element) return;
  element.classList.toggle("truck-marker--stale", entry.stale);
  if (selected !== undefined) element.classList.toggle("truck-marker--selected", selected);
  element.setAttribute(
    "aria-label",
    `${truckLabel(entry.position.truckId)}${entry.stale ? " (stale)" : ""}`,
  );
}

export function rotate(marker: L.Marker, headingDeg: number): void {
  const arrow = marker.getElement()?.querySelector<SVGElement>(".truck-marker__arrow");
  if (arrow) arrow.style.transform = `rotate(${headingDeg}deg)`;
}
