/**
 * Screen-space index of what the canvas layer last drew: points with a hit radius each, bucketed
 * in square cells (counting sort into flat arrays, no per-point objects), so hover and click find
 * the nearest item in a few cells however many trucks are drawn.
 */
export class HitGrid {
  readonly #cell: number;
  #cols = 0;
  #rows = 0;
  #starts = new Int32Array(1);
  #order = new Int32Array(0);
  #xs: ArrayLike<number> = [];
  #ys: ArrayLike<number> = [];
  #radii: ArrayLike<number> = [];

  /** `cellPx` must be at least the largest hit radius (a lookup reads the 3×3 cells around). */
  constructor(cellPx = 32) {
    this.#cell = cellPx;
  }

  /** Indexes the first `count` items, on a `width` × `height` screen. */
  build(
    xs: ArrayLike<number>,
    ys: ArrayLike<number>,
    radii: ArrayLike<number>,
    count: number,
    width: number,
    height: number,
  ): void {
    this.#xs = xs;
    this.#ys = ys;
    this.#radii = radii;
    this.#cols = Math.max(1, Math.ceil(width / this.#cell));
    this.#rows = Math.max(1, Math.ceil(height / this.#cell));
    const cells = this.#cols * this.#rows;
    const starts = new Int32Array(cells + 1);
    const cellOf = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const cell = this.#cellAt(xs[i] ?? 0, ys[i] ?? 0);
      cellOf[i] = cell;
      starts[cell + 1] = (starts[cell + 1] ?? 0) + 1;
    }
    for (let c = 0; c < cells; c++) starts[c + 1] = (starts[c + 1] ?? 0) + (starts[c] ?? 0);
    const fill = starts.slice(0, cells);
    const order = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const cell = cellOf[i] ?? 0;
      const at = fill[cell] ?? 0;
      order[at] = i;
      fill[cell] = at + 1;
    }
    this.#starts = starts;
    this.#order = order;
  }

  /**
   * The item nearest to (x, y) among those whose radius reaches it, or -1. On a tie the later
   * item wins: it was drawn on top.
   */
  nearest(x: number, y: number): number {
    const col = this.#clampCol(Math.floor(x / this.#cell));
    const row = this.#clampRow(Math.floor(y / this.#cell));
    let best = -1;
    let bestDistance = Number.POSITIVE_INFINITY;
    for (let r = Math.max(0, row - 1); r <= Math.min(this.#rows - 1, row + 1); r++) {
      for (let c = Math.max(0, col - 1); c <= Math.min(this.#cols - 1, col + 1); c++) {
        const cell = r * this.#cols + c;
        const end = this.#starts[cell + 1] ?? 0;
        for (let k = this.#starts[cell] ?? 0; k < end; k++) {
          const i = this.#order[k] ?? 0;
          const dx = (this.#xs[i] ?? 0) - x;
          const dy = (this.#ys[i] ?? 0) - y;
          const distance = dx * dx + dy * dy;
          const radius = this.#radii[i] ?? 0;
          if (distance > radius * radius) continue;
          if (distance < bestDistance || (distance === bestDistance && i > best)) {
            best = i;
            bestDistance = distance;
          }
        }
      }
    }
    return best;
  }

  #cellAt(x: number, y: number): number {
    return (
      this.#clampRow(Math.floor(y / this.#cell)) * this.#cols +
      this.#clampCol(Math.floor(x / this.#cell))
    );
  }

  #clampCol(col: number): number {
    return Math.max(0, Math.min(this.#cols - 1, col));
  }

  #clampRow(row: number): number {
    return Math.max(0, Math.min(this.#rows - 1, row));
  }
}
