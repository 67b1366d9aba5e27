/**
 * Truck and cluster images for the canvas layer, drawn once into offscreen canvases at the
 * screen's pixel ratio and then only copied (drawImage) per truck and frame: the same disc and
 * pointer as the DOM marker (truck-marker-html.ts, `.truck-marker*` in globals.css).
 */

/** Headings are drawn in steps of this many degrees (72 images per style). */
export const HEADING_STEP_DEG = 5;

export function headingBucket(headingDeg: number, stepDeg = HEADING_STEP_DEG): number {
  const buckets = Math.round(360 / stepDeg);
  const normalized = ((headingDeg % 360) + 360) % 360;
  const bucket = Math.round(normalized / stepDeg) % buckets;
  return Number.isFinite(bucket) ? bucket : 0;
}

export type TruckStyle = "live" | "stale" | "selected" | "selectedStale";

export function truckStyle(selected: boolean, stale: boolean): TruckStyle {
  if (selected) return stale ? "selectedStale" : "selected";
  return stale ? "stale" : "live";
}

/** A truck's disc is 24 px in a 28 px box (as the marker); the selected one is drawn larger. */
export const TRUCK_BOX_PX = 28;
const SELECTED_SCALE = 1.25;

export function truckScale(style: TruckStyle): number {
  return style === "selected" || style === "selectedStale" ? SELECTED_SCALE : 1;
}

/** Circle radius of a cluster of `count` trucks: grows with the count's order of magnitude. */
export function clusterRadius(count: number): number {
  return Math.min(30, 13 + 4 * Math.log10(Math.max(2, count)));
}

/** "1.2k" past a thousand, as supercluster's point_count_abbreviated. */
export function clusterLabel(count: number): string {
  if (count >= 10_000) return `${Math.round(count / 1000)}k`;
  if (count >= 1000) return `${Math.round(count / 100) / 10}k`;
  return String(count);
}

export interface SpriteColours {
  truck: string;
  edge: string;
}

const SELECTED_FILL = "#0b3d91";
const SELECTED_EDGE = "#ffd33d";
const STALE_FILL = "#8c959f";
const STALE_OPACITY = 0.7;
/** The marker's pointer, in its 24-unit SVG box centred on (12, 12). */
const POINTER = "M12 3.5 L17.5 18.5 L12 14 L6.5 18.5 Z";

export interface Sprite {
  image: HTMLCanvasElement;
  /** CSS pixels: the image is drawn `size` × `size`, centred on the truck. */
  size: number;
}

export class TruckSprites {
  readonly #ratio: number;
  readonly #colours: SpriteColours;
  readonly #trucks = new Map<string, Sprite>();
  readonly #clusters = new Map<string, Sprite>();

  constructor(pixelRatio: number, colours: SpriteColours) {
    this.#ratio = pixelRatio;
    this.#colours = colours;
  }

  get pixelRatio(): number {
    return this.#ratio;
  }

  truck(style: TruckStyle, bucket: number): Sprite {
    const key = `${style}:${bucket}`;
    let sprite = this.#trucks.get(key);
    if (!sprite) {
      sprite = this.#drawTruck(style, bucket * HEADING_STEP_DEG);
      this.#trucks.set(key, sprite);
    }
    return sprite;
  }

  cluster(count: number): Sprite {
    const label = clusterLabel(count);
    const radius = clusterRadius(count);
    const key = `${label}:${radius}`;
    let sprite = this.#clusters.get(key);
    if (!sprite) {
      // Counts under 1,000 are exact, so there can be many: keep the cache bounded.
      if (this.#clusters.size > 2000) this.#clusters.clear();
      sprite = this.#drawCluster(label, radius);
      this.#clusters.set(key, sprite);
    }
    return sprite;
  }

  #canvas(size: number): [HTMLCanvasElement, CanvasRenderingContext2D] {
    const image = document.createElement("canvas");
    image.width = Math.ceil(size * this.#ratio);
    image.height = Math.ceil(size * this.#ratio);
    const context = image.getContext("2d");
    if (!context) throw new Error("no 2d canvas context");
    context.scale(this.#ratio, this.#ratio);
    return [image, context];
  }

  #drawTruck(style: TruckStyle, headingDeg: number): Sprite {
    const scale = truckScale(style);
    const size = Math.ceil(TRUCK_BOX_PX * scale) + 4; // room for the shadow
    const [image, c] = this.#canvas(size);
    const selected = style === "selected" || style === "selectedStale";
    const stale = style === "stale" || style === "selectedStale";
    c.globalAlpha = stale ? STALE_OPACITY : 1;
    c.translate(size / 2, size / 2);
    c.scale(scale, scale);
    c.rotate((headingDeg * Math.PI) / 180);
    c.translate(-12, -12);
    // drop-shadow(0 1px 1px rgb(0 0 0 / 0.35)) of the marker's SVG.
    c.shadowColor = "rgb(0 0 0 / 0.35)";
    c.shadowOffsetY = this.#ratio;
    c.shadowBlur = this.#ratio;
    c.beginPath();
    c.arc(12, 12, 10, 0, 2 * Math.PI);
    c.fillStyle = stale ? STALE_FILL : selected ? SELECTED_FILL : this.#colours.truck;
    c.fill();
    c.lineWidth = selected ? 3 : 2;
    c.strokeStyle = selected ? SELECTED_EDGE : this.#colours.edge;
    if (stale && !selected) c.setLineDash([3, 2]);
    c.stroke();
    c.setLineDash([]);
    c.shadowColor = "transparent";
    c.fillStyle = "#ffffff";
    c.fill(new Path2D(POINTER));
    return { image, size };
  }

  #drawCluster(label: string, radius: number): Sprite {
    const size = Math.ceil(2 * radius) + 8;
    const [image, c] = this.#canvas(size);
    const centre = size / 2;
    c.beginPath();
    c.arc(centre, centre, radius + 3, 0, 2 * Math.PI);
    c.fillStyle = "rgb(31 111 235 / 0.3)";
    c.fill();
    c.beginPath();
    c.arc(centre, centre, radius - 1, 0, 2 * Math.PI);
    c.fillStyle = SELECTED_FILL;
    c.fill();
    c.lineWidth = 2;
    c.strokeStyle = "#ffffff";
    c.stroke();
    c.fillStyle = "#ffffff";
    c.font = `600 ${radius > 20 ? 13 : 12}px system-ui, sans-serif`;
    c.textAlign = "center";
    c.textBaseline = "middle";
    c.fillText(label, centre, centre + 0.5);
    return { image, size };
  }
}
