import * as L from "leaflet";
import { truckLabel } from "./truck-marker-html";

/** More trucks in view than this, and the overlay is empty: the trucks list is the way in. */
export const OVERLAY_CAP = 200;

export interface OverlayTruck {
  truckId: string;
  /** Layer point (the overlay is in a map pane and pans with it). */
  x: number;
  y: number;
  stale: boolean;
  selected: boolean;
}

/**
 * Transparent, focusable stand-ins for the trucks the canvas draws, when there are few enough:
 * an image with the truck's name at its place on the map, selected with a click or Enter. It is
 * updated when data arrives or the view settles, never per animation frame; an element is kept
 * per truck, so keyboard focus stays on its truck across updates.
 */
export class TruckOverlay {
  // Hidden during Leaflet's zoom animation (it is placed for the zoom before it).
  readonly element = L.DomUtil.create("div", "truck-overlay leaflet-zoom-hide");
  readonly #items = new Map<string, HTMLElement>();

  constructor(onSelect: (truckId: string) => void) {
    const selectFrom = (event: Event) => {
      const target = event.target instanceof Element ? event.target.closest(".truck-hit") : null;
      const truckId = target instanceof HTMLElement ? target.dataset.truckId : undefined;
      if (!truckId) return false;
      event.stopPropagation();
      onSelect(truckId);
      return true;
    };
    this.element.addEventListener("click", selectFrom);
    this.element.addEventListener("keydown", (event) => {
      if ((event.key === "Enter" || event.key === " ") && selectFrom(event)) event.preventDefault();
    });
  }

  show(trucks: readonly OverlayTruck[]): void {
    if (trucks.length > OVERLAY_CAP) {
      this.clear();
      return;
    }
    const shown = new Set<string>();
    for (const truck of trucks) {
      shown.add(truck.truckId);
      let item = this.#items.get(truck.truckId);
      if (!item) {
        item = L.DomUtil.create("div", "truck-hit", this.element);
        item.setAttribute("role", "img");
        item.tabIndex = 0;
        item.dataset.truckId = truck.truckId;
        this.#items.set(truck.truckId, item);
      }
      const label = `${truckLabel(truck.truckId)}${truck.stale ? " (stale)" : ""}`;
      if (item.getAttribute("aria-label") !== label) item.setAttribute("aria-label", label);
      item.classList.toggle("truck-hit--stale", truck.stale);
      item.classList.toggle("truck-hit--selected", truck.selected);
      if (truck.selected) item.setAttribute("aria-current", "true");
      else item.removeAttribute("aria-current");
      L.DomUtil.setPosition(item, L.point(truck.x, truck.y));
    }
    for (const [truckId, item] of this.#items) {
      if (shown.has(truckId)) continue;
      item.remove();
      this.#items.delete(truckId);
    }
  }

  clear(): void {
    for (const item of this.#items.values()) item.remove();
    this.#items.clear();
  }
}
