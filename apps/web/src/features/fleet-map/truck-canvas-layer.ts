import type { CellColumns, TruckPosition } from "@fleetstream/contracts";
import * as L from "leaflet";
import { HitGrid } from "./hit-grid";
import {
  type BBox,
  type ClusterItem,
  clusterLevel,
  shouldCluster,
  TruckClusterIndex,
} from "./truck-clusters";
import type { TruckLayer, TruckLayerOptions } from "./truck-layer";
import { truckLabel } from "./truck-marker-html";
import { TruckOverlay } from "./truck-overlay";
import {
  clusterRadius,
  headingBucket,
  TRUCK_BOX_PX,
  TruckSprites,
  truckScale,
  truckStyle,
} from "./truck-sprites";
import { worldSize, worldX, worldY } from "./web-mercator";

interface Entry {
  truckId: string;
  position: TruckPosition;
  /** Where the truck is (its latest fix). */
  lat: number;
  lon: number;
  bucket: number;
  stale: boolean;
  /** A glide from (fromLat, fromLon) towards (lat, lon) started at glideStart; -1: none. */
  fromLat: number;
  fromLon: number;
  glideStart: number;
}

/** What the canvas shows: the map's view when it was last read. */
interface View {
  zoom: number;
  /** World pixels at this zoom (web-mercator.ts). */
  size: number;
  /** World pixel of the container's top-left corner. */
  left: number;
  top: number;
  width: number;
  height: number;
  /** The container's top-left as a layer point (where the canvas is placed in its pane). */
  origin: L.Point;
  /** The view, in degrees. */
  bounds: BBox;
  /** The view plus a margin on each side, in degrees: the trucks looked at. */
  area: BBox;
}

/** Trucks are looked at (and clusters asked for) in the view plus this much of it on each side. */
const MARGIN = 0.1;
/** How close, in CSS pixels, a pointer must be to a truck's centre to hover or click it. */
const TRUCK_HIT_PX = 14;
/** The cluster index follows moving trucks at most this often… */
const REINDEX_MOVED_MS = 1000;
/** … and added or removed ones (or a new selection) at most this often. */
const REINDEX_MEMBERS_MS = 250;

/**
 * The live trucks on one <canvas> in a pane of their own: each truck is a pre-drawn image
 * (truck-sprites.ts) copied to its screen point, only for trucks in view, and only in an
 * animation frame after something changed or while a glide runs. Crowded views are clustered
 * (truck-clusters.ts). Hover and click find the truck under the pointer in a screen-space grid of
 * what was drawn (hit-grid.ts); a light DOM overlay (truck-overlay.ts) makes the trucks of an
 * uncrowded view focusable and visible to assistive technology (and to the browser tests).
 */
export class TruckCanvasLayer implements TruckLayer {
  readonly #map: L.Map;
  readonly #layer: CanvasPaneLayer;
  readonly #entries = new Map<string, Entry>();
  readonly #glideMs: number;
  readonly #reducedMotion: boolean;
  readonly #onSelect: ((truckId: string) => void) | undefined;
  readonly #canvas: HTMLCanvasElement;
  readonly #overlay: TruckOverlay;
  readonly #tooltip = L.tooltip({ direction: "top", offset: [0, -TRUCK_BOX_PX / 2] });
  readonly #grid = new HitGrid(32);
  #sprites: TruckSprites | undefined;
  #selected: string | null = null;
  #frame: number | null = null;
  #reindexTimer: ReturnType<typeof setTimeout> | undefined;
  #zooming = false;

  #view: View | undefined;
  #viewChanged = true;
  /** Trucks whose latest fix is in the view's area; recollected after data or view changes. */
  #inArea: Entry[] = [];
  /** How many of them are in the view itself: clustering depends on it. */
  #inView = 0;
  #inAreaStale = true;

  #clustering = false;
  #index: TruckClusterIndex | undefined;
  #indexedAt = 0;
  #membersChanged = false;
  #moved = false;
  #clusterItems: ClusterItem[] = [];
  /** Counts per cell the web server sent for a dense area (see setCells). */
  #cells: CellItem[] = [];
  #clusterItemsStale = true;

  /** What was last drawn, in CSS pixels of the container, for hit-testing. */
  #drawnX = new Float32Array(1024);
  #drawnY = new Float32Array(1024);
  #drawnRadius = new Float32Array(1024);
  #drawn: (Entry | ClusterItem | CellItem)[] = [];
  #gridStale = true;
  #overlayStale = true;
  #hovered: Entry | ClusterItem | CellItem | undefined;

  constructor(map: L.Map, options: TruckLayerOptions = {}) {
    this.#map = map;
    this.#glideMs = options.glideMs ?? 450;
    this.#onSelect = options.onSelect;
    this.#reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    if (!map.getPane("trucks")) {
      // The marker pane's place: above the fences, below tooltips and the replay.
      const pane = map.createPane("trucks");
      pane.style.zIndex = "600";
    }
    this.#canvas = L.DomUtil.create("canvas", "truck-canvas leaflet-zoom-animated");
    this.#canvas.setAttribute("aria-hidden", "true");
    this.#overlay = new TruckOverlay((truckId) => this.#onSelect?.(truckId));
    this.#layer = new CanvasPaneLayer({
      added: (m) => this.#added(m),
      removed: (m) => this.#removed(m),
      events: () => this.#events(),
    });
    this.#layer.addTo(map);
  }

  get size(): number {
    return this.#entries.size;
  }

  position(truckId: string): TruckPosition | undefined {
    return this.#entries.get(truckId)?.position;
  }

  upsert(positions: readonly TruckPosition[], { animate = true } = {}): void {
    const now = performance.now();
    const area = this.#view?.area;
    for (const position of positions) {
      const entry = this.#entries.get(position.truckId);
      if (!entry) {
        this.#entries.set(position.truckId, {
          truckId: position.truckId,
          position,
          lat: position.lat,
          lon: position.lon,
          bucket: headingBucket(position.headingDeg),
          stale: false,
          fromLat: position.lat,
          fromLon: position.lon,
          glideStart: -1,
        });
        this.#membersChanged = true;
        continue;
      }
      // Only trucks in view glide: the others are not drawn, they just jump.
      const glide =
        animate && !this.#reducedMotion && area !== undefined && inBox(area, entry.lat, entry.lon);
      if (glide) {
        const [lat, lon] = this.#displayed(entry, now);
        entry.fromLat = lat;
        entry.fromLon = lon;
        entry.glideStart = now;
      } else entry.glideStart = -1;
      entry.position = position;
      entry.lat = position.lat;
      entry.lon = position.lon;
      entry.bucket = headingBucket(position.headingDeg);
    }
    if (positions.length > 0) this.#moved = true;
    this.#dataChanged();
  }

  remove(truckIds: readonly string[]): void {
    let removed = false;
    for (const truckId of truckIds) removed = this.#entries.delete(truckId) || removed;
    if (!removed) return;
    this.#membersChanged = true;
    this.#dataChanged();
  }

  refreshStale(isStale: (position: TruckPosition) => boolean): void {
    let changed = false;
    for (const entry of this.#entries.values()) {
      const stale = isStale(entry.position);
      if (stale === entry.stale) continue;
      entry.stale = stale;
      changed = true;
    }
    if (!changed) return;
    this.#overlayStale = true;
    this.#schedule();
  }

  select(truckId: string | null): void {
    if (truckId === this.#selected) return;
    this.#selected = truckId;
    // The selected truck is left out of the clusters: the index changes with it.
    this.#membersChanged = true;
    this.#dataChanged();
  }

  setVisible(visible: boolean): void {
    if (visible && !this.#map.hasLayer(this.#layer)) this.#layer.addTo(this.#map);
    if (!visible) this.#layer.remove();
  }

  setCells(cells: CellColumns | null): void {
    this.#cells = cells
      ? cells.count.map((count, i) => ({
          kind: "cell" as const,
          lat: cells.lat[i] as number,
          lon: cells.lon[i] as number,
          count,
        }))
      : [];
    this.#schedule();
  }

  destroy(): void {
    this.#layer.remove();
    this.#entries.clear();
  }

  #added(map: L.Map): void {
    const pane = this.#layer.getPane();
    pane?.append(this.#canvas);
    pane?.append(this.#overlay.element);
    const container = map.getContainer();
    container.addEventListener("click", this.#onClick, true);
    container.addEventListener("mousemove", this.#onPointerMove);
    container.addEventListener("mouseleave", this.#onPointerLeave);
    this.#viewChanged = true;
    this.#overlayStale = true;
    this.#schedule();
  }

  #removed(map: L.Map): void {
    this.#canvas.remove();
    this.#overlay.element.remove();
    this.#overlay.clear();
    const container = map.getContainer();
    container.removeEventListener("click", this.#onClick, true);
    container.removeEventListener("mousemove", this.#onPointerMove);
    container.removeEventListener("mouseleave", this.#onPointerLeave);
    this.#hover(undefined);
    if (this.#frame !== null) cancelAnimationFrame(this.#frame);
    this.#frame = null;
    clearTimeout(this.#reindexTimer);
    this.#reindexTimer = undefined;
  }

  #events(): MapEvents {
    return {
      move: this.#onMove,
      moveend: this.#onMoveEnd,
      resize: this.#onMoveEnd,
      viewreset: this.#onMoveEnd,
      zoomanim: this.#onZoomAnim as L.LeafletEventHandlerFn,
      zoomend: this.#onZoomEnd,
    };
  }

  // --- map events ------------------------------------------------------------------------

  readonly #onMove = () => {
    this.#viewChanged = true;
    this.#schedule();
  };

  /** The view settled: the overlay follows it (it is not moved while the map pans). */
  readonly #onMoveEnd = () => {
    this.#viewChanged = true;
    this.#overlayStale = true;
    this.#schedule();
  };

  /** Scales the last picture with Leaflet's zoom animation, as its own renderers do. */
  readonly #onZoomAnim = (event: L.ZoomAnimEvent) => {
    const view = this.#view;
    if (!view) return;
    this.#zooming = true;
    const map = this.#map;
    const scale = map.getZoomScale(event.zoom, view.zoom);
    const paneOffset = map.containerPointToLayerPoint([0, 0]);
    const origin = map
      .project(event.center, event.zoom)
      .subtract(map.getSize().divideBy(2))
      .subtract(paneOffset)
      .round();
    const topLeft = L.point(view.left * scale, view.top * scale).subtract(origin);
    L.DomUtil.setTransform(this.#canvas, topLeft, scale);
  };

  readonly #onZoomEnd = () => {
    this.#zooming = false;
    this.#onMoveEnd();
  };

  // --- pointer ---------------------------------------------------------------------------

  /**
   * Whether the pointer may touch a truck: over the map itself (not its controls), and not while
   * a geofence is drawn, when clicks belong to the map (geofence-editor.ts).
   */
  #pointing(event: MouseEvent): boolean {
    const { target } = event;
    return (
      target instanceof Node &&
      this.#map.getPanes().mapPane.contains(target) &&
      !this.#map.getContainer().classList.contains("fleet-map--drawing")
    );
  }

  /** A click on a truck or cluster, caught before Leaflet (and fences under it) see it. */
  readonly #onClick = (event: MouseEvent) => {
    // A click that ends a drag of the map is no click (Leaflet's own rule for its layers).
    const dragging = this.#map.dragging as (L.Handler & { moved?(): boolean }) | undefined;
    if (!this.#pointing(event) || dragging?.moved?.()) return;
    const item = this.#itemAt(event);
    if (!item) return;
    event.stopPropagation();
    if ("kind" in item) {
      // A cell of counts: closer in, until the web server sends its trucks one by one.
      if (item.kind === "cell") {
        this.#map.setView([item.lat, item.lon], Math.min(this.#map.getZoom() + 2, 18));
        return;
      }
      if (item.kind !== "cluster" || !this.#index) return;
      const zoom = Math.min(this.#index.expansionZoom(item.clusterId), this.#map.getMaxZoom());
      this.#map.setView([item.lat, item.lon], zoom);
    } else this.#onSelect?.(item.position.truckId);
  };

  readonly #onPointerMove = (event: MouseEvent) => {
    this.#hover(this.#pointing(event) ? this.#itemAt(event) : undefined);
  };

  readonly #onPointerLeave = () => this.#hover(undefined);

  #itemAt(event: MouseEvent): Entry | ClusterItem | CellItem | undefined {
    const view = this.#view;
    if (!view) return undefined;
    if (this.#gridStale) {
      this.#grid.build(
        this.#drawnX,
        this.#drawnY,
        this.#drawnRadius,
        this.#drawn.length,
        view.width,
        view.height,
      );
      this.#gridStale = false;
    }
    const point = this.#map.mouseEventToContainerPoint(event);
    return this.#drawn[this.#grid.nearest(point.x, point.y)];
  }

  #hover(item: Entry | ClusterItem | CellItem | undefined): void {
    if (item === this.#hovered && item !== undefined) return;
    const container = this.#map.getContainer();
    container.classList.toggle("fleet-map--over-truck", item !== undefined);
    this.#hovered = item;
    if (!item) {
      this.#map.closeTooltip(this.#tooltip);
      return;
    }
    if ("kind" in item) {
      if (item.kind === "truck") return;
      this.#tooltip.setContent(`${item.count.toLocaleString("en")} trucks`);
      this.#tooltip.setLatLng([item.lat, item.lon]);
    } else {
      const [lat, lon] = this.#displayed(item, performance.now());
      this.#tooltip.setContent(truckLabel(item.position.truckId));
      this.#tooltip.setLatLng([lat, lon]);
    }
    if (!this.#map.hasLayer(this.#tooltip)) this.#map.openTooltip(this.#tooltip);
  }

  // --- drawing ---------------------------------------------------------------------------

  #dataChanged(): void {
    this.#inAreaStale = true;
    this.#overlayStale = true;
    this.#schedule();
  }

  #schedule(): void {
    if (this.#frame !== null || !this.#map.hasLayer(this.#layer)) return;
    this.#frame = requestAnimationFrame((time) => {
      this.#frame = null;
      this.#draw(time);
    });
  }

  /** Where a truck is drawn at `now`: on its way from the previous fix during a glide. */
  #displayed(entry: Entry, now: number): [number, number] {
    if (entry.glideStart < 0) return [entry.lat, entry.lon];
    const t = (now - entry.glideStart) / this.#glideMs;
    if (t >= 1) {
      entry.glideStart = -1;
      return [entry.lat, entry.lon];
    }
    const k = Math.max(0, t);
    return [
      entry.fromLat + (entry.lat - entry.fromLat) * k,
      entry.fromLon + (entry.lon - entry.fromLon) * k,
    ];
  }

  #readView(): void {
    const map = this.#map;
    const zoom = map.getZoom();
    const size = worldSize(zoom);
    const { x: width, y: height } = map.getSize();
    const origin = map.containerPointToLayerPoint([0, 0]);
    const topLeft = map.getPixelOrigin().add(origin);
    const bounds = map.getBounds();
    const area = bounds.pad(MARGIN);
    const previous = this.#view;
    this.#view = {
      zoom,
      size,
      left: topLeft.x,
      top: topLeft.y,
      width,
      height,
      origin,
      bounds: [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()],
      area: [area.getWest(), area.getSouth(), area.getEast(), area.getNorth()],
    };
    this.#inAreaStale = true;
    this.#clusterItemsStale = true;

    const ratio = window.devicePixelRatio || 1;
    if (this.#sprites?.pixelRatio !== ratio) this.#sprites = this.#makeSprites(ratio);
    if (previous?.width !== width || previous?.height !== height || this.#canvas.width === 0) {
      this.#canvas.width = Math.round(width * ratio);
      this.#canvas.height = Math.round(height * ratio);
      this.#canvas.style.width = `${width}px`;
      this.#canvas.style.height = `${height}px`;
    }
    // Also ends a zoom animation's transform.
    L.DomUtil.setPosition(this.#canvas, origin);
  }

  #makeSprites(ratio: number): TruckSprites {
    const style = getComputedStyle(this.#map.getContainer());
    return new TruckSprites(ratio, {
      truck: style.getPropertyValue("--truck").trim() || "#1f6feb",
      edge: style.getPropertyValue("--truck-edge").trim() || "#ffffff",
    });
  }

  #collectInArea({ area, bounds }: View): void {
    const inArea: Entry[] = [];
    let inView = 0;
    for (const entry of this.#entries.values()) {
      if (!inBox(area, entry.lat, entry.lon)) continue;
      inArea.push(entry);
      if (inBox(bounds, entry.lat, entry.lon)) inView++;
    }
    this.#inArea = inArea;
    this.#inView = inView;
    this.#inAreaStale = false;
  }

  /**
   * Rebuilds the cluster index when the zoom level changed (at once) or trucks were added,
   * removed, selected or moved (throttled); a rebuild not yet due is scheduled.
   */
  #updateIndex(now: number): void {
    const zoom = this.#view?.zoom ?? 0;
    const since = now - this.#indexedAt;
    const due =
      this.#index === undefined ||
      this.#index.zoom !== clusterLevel(zoom) ||
      (this.#membersChanged && since >= REINDEX_MEMBERS_MS) ||
      (this.#moved && since >= REINDEX_MOVED_MS);
    if (!due) {
      if ((this.#membersChanged || this.#moved) && this.#reindexTimer === undefined) {
        const wait = (this.#membersChanged ? REINDEX_MEMBERS_MS : REINDEX_MOVED_MS) - since;
        this.#reindexTimer = setTimeout(() => {
          this.#reindexTimer = undefined;
          this.#schedule();
        }, wait);
      }
      return;
    }
    this.#index = new TruckClusterIndex(this.#entries.values(), zoom, this.#selected);
    this.#indexedAt = now;
    this.#membersChanged = false;
    this.#moved = false;
    this.#clusterItemsStale = true;
  }

  #draw(now: number): void {
    if (this.#zooming) return; // zoomend draws again
    if (this.#viewChanged || !this.#view) {
      this.#readView();
      this.#viewChanged = false;
    }
    const view = this.#view;
    const sprites = this.#sprites;
    const context = this.#canvas.getContext("2d");
    if (!view || !sprites || !context) return;
    if (this.#inAreaStale) this.#collectInArea(view);

    this.#clustering = shouldCluster(this.#inView, this.#clustering);
    if (this.#clustering) {
      this.#updateIndex(now);
      if (this.#clusterItemsStale && this.#index) {
        this.#clusterItems = this.#index.query(view.area);
        this.#clusterItemsStale = false;
      }
    } else {
      // Unclustered, a later index would be for another moment: build it afresh when needed.
      this.#index = undefined;
      clearTimeout(this.#reindexTimer);
      this.#reindexTimer = undefined;
    }

    const ratio = sprites.pixelRatio;
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, view.width, view.height);
    this.#drawn.length = 0;
    let gliding = false;
    const selected = this.#selected ? this.#entries.get(this.#selected) : undefined;

    const drawTruck = (entry: Entry) => {
      const [lat, lon] = this.#displayed(entry, now);
      if (entry.glideStart >= 0) gliding = true;
      const x = worldX(lon, view.size) - view.left;
      const y = worldY(lat, view.size) - view.top;
      if (x < -TRUCK_BOX_PX || y < -TRUCK_BOX_PX) return;
      if (x > view.width + TRUCK_BOX_PX || y > view.height + TRUCK_BOX_PX) return;
      const style = truckStyle(entry === selected, entry.stale);
      const sprite = sprites.truck(style, entry.bucket);
      const half = sprite.size / 2;
      context.drawImage(
        sprite.image,
        Math.round((x - half) * ratio) / ratio,
        Math.round((y - half) * ratio) / ratio,
        sprite.size,
        sprite.size,
      );
      this.#record(entry, x, y, TRUCK_HIT_PX * truckScale(style));
    };

    /** A count bubble: a cluster of trucks here, or a cell the web server counted. */
    const drawBubble = (item: ClusterItem | CellItem) => {
      if (item.kind === "truck") return;
      const x = worldX(item.lon, view.size) - view.left;
      const y = worldY(item.lat, view.size) - view.top;
      const sprite = sprites.cluster(item.count);
      const half = sprite.size / 2;
      if (x < -half || y < -half || x > view.width + half || y > view.height + half) return;
      context.drawImage(
        sprite.image,
        Math.round(x - half),
        Math.round(y - half),
        sprite.size,
        sprite.size,
      );
      this.#record(item, x, y, clusterRadius(item.count));
    };

    for (const cell of this.#cells) drawBubble(cell);
    if (this.#clustering) {
      for (const item of this.#clusterItems) {
        if (item.kind === "truck") {
          const entry = this.#entries.get(item.truckId);
          if (entry && entry !== selected) drawTruck(entry);
          continue;
        }
        drawBubble(item);
      }
    } else {
      for (const entry of this.#inArea) if (entry !== selected) drawTruck(entry);
    }
    if (selected) drawTruck(selected);
    this.#gridStale = true;

    if (this.#overlayStale) {
      this.#syncOverlay(view);
      this.#overlayStale = false;
    }
    if (
      this.#hovered &&
      !("kind" in this.#hovered) &&
      !this.#entries.has(this.#hovered.position.truckId)
    )
      this.#hover(undefined);
    if (gliding) this.#schedule();
  }

  #record(item: Entry | ClusterItem | CellItem, x: number, y: number, radius: number): void {
    const i = this.#drawn.length;
    if (i === this.#drawnX.length) {
      this.#drawnX = grow(this.#drawnX);
      this.#drawnY = grow(this.#drawnY);
      this.#drawnRadius = grow(this.#drawnRadius);
    }
    this.#drawnX[i] = x;
    this.#drawnY[i] = y;
    this.#drawnRadius[i] = radius;
    this.#drawn.push(item);
  }

  /** The overlay shows the drawn single trucks at their latest fix (where a glide ends). */
  #syncOverlay(view: View): void {
    const trucks: { truckId: string; x: number; y: number; stale: boolean; selected: boolean }[] =
      [];
    for (const entry of this.#drawn) {
      if ("kind" in entry) continue;
      const truckId = entry.position.truckId;
      const x = worldX(entry.lon, view.size) - view.left;
      const y = worldY(entry.lat, view.size) - view.top;
      if (x < 0 || y < 0 || x > view.width || y > view.height) continue;
      trucks.push({
        truckId,
        // Layer points: the overlay lives in the map's pane and pans with it.
        x: x + view.origin.x,
        y: y + view.origin.y,
        stale: entry.stale,
        selected: truckId === this.#selected,
      });
    }
    this.#overlay.show(trucks);
  }
}

/** A map cell's truck count, as the web server sends it for a dense area. */
interface CellItem {
  kind: "cell";
  lat: number;
  lon: number;
  count: number;
}

function inBox([west, south, east, north]: BBox, lat: number, lon: number): boolean {
  return lat >= south && lat <= north && lon >= west && lon <= east;
}

function grow(array: Float32Array): Float32Array<ArrayBuffer> {
  const bigger = new Float32Array(array.length * 2);
  bigger.set(array);
  return bigger;
}

/** The Leaflet layer (in the "trucks" pane) through which TruckCanvasLayer joins the map. */
type MapEvents = { [name: string]: L.LeafletEventHandlerFn };

interface LayerHost {
  added(map: L.Map): void;
  removed(map: L.Map): void;
  events(): MapEvents;
}

class CanvasPaneLayer extends L.Layer {
  readonly #host: LayerHost;

  constructor(host: LayerHost) {
    super({ pane: "trucks" });
    this.#host = host;
  }

  override onAdd(map: L.Map): this {
    this.#host.added(map);
    return this;
  }

  override onRemove(map: L.Map): this {
    this.#host.removed(map);
    return this;
  }

  override getEvents(): MapEvents {
    return this.#host.events();
  }
}
