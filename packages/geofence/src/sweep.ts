/**
 * Shamos–Hoey: whether any two of n segments conflict, in O(n log n), stopping at the first
 * conflict it meets. A sweep line moves left to right (ties by y, as if turned a hair
 * counterclockwise, so vertical segments need no special case); the segments it cuts are kept
 * in a balanced tree ordered bottom to top. Two segments are tested only when they become
 * neighbours in that order. Until the leftmost conflict, the order is well defined, and the
 * segments of that conflict (or of another one) are neighbours before the line passes it, so
 * it is found (Shamos & Hoey 1976; de Berg et al., Computational Geometry, ch. 2).
 *
 * Why not the R-tree (flatbush) candidates we used before: every edge of a star-shaped ring
 * has a bounding box over the centre, so each edge had ~n candidates; 49,999 vertices took
 * 236 s. Why not a library: `sweepline-intersections` (what @turf/kinks uses) tests each new
 * segment against every active one, which is the same O(n²) for a star; `shamos-hoey` on npm
 * answers a boolean without the edges and is barely used.
 *
 * Conflicts are decided by the caller's exact predicate (`conflict`), so the sweep can only
 * miss a conflict, never invent one; the property test in sweep.test.ts compares it with the
 * all-pairs answer on degenerate random rings (shared vertices, collinear and vertical edges).
 * Touches where one segment ends and another starts at the same point never meet in the tree
 * (ends are handled first there), so the segments with an endpoint at one point are checked
 * against each other directly.
 */

export interface Segment {
  /** Left endpoint (lexicographically smaller by x, then y) and right endpoint. */
  lx: number;
  ly: number;
  rx: number;
  ry: number;
}

/** The first conflicting pair found, or undefined if no two segments conflict. */
export function firstConflict<S extends Segment>(
  segments: readonly S[],
  conflict: (a: S, b: S) => boolean,
): [S, S] | undefined {
  const n = segments.length;
  // Events: 2i = left end of segment i (insert), 2i + 1 = right end (remove); sorted by point,
  // and at one point removals before insertions.
  const xs = new Float64Array(2 * n);
  const ys = new Float64Array(2 * n);
  segments.forEach((s, i) => {
    xs[2 * i] = s.lx;
    ys[2 * i] = s.ly;
    xs[2 * i + 1] = s.rx;
    ys[2 * i + 1] = s.ry;
  });
  const events = sortEvents(xs, ys);
  const ex = (e: number) => xs[e] as number;
  const ey = (e: number) => ys[e] as number;

  const tree = new Treap<S>(compareSegments);
  const test = (a: Node<S> | undefined, b: Node<S> | undefined): [S, S] | undefined =>
    a && b && conflict(a.key, b.key) ? [a.key, b.key] : undefined;

  let groupStart = 0;
  for (let k = 0; k < events.length; k++) {
    const e = events[k] as number;
    const x = ex(e);
    const y = ey(e);
    // Segments with an endpoint at this point: any pair may touch there (see above). Of three
    // such segments at least two are not neighbours in their ring, so three are enough.
    if (k > groupStart && (ex(events[k - 1] as number) !== x || ey(events[k - 1] as number) !== y))
      groupStart = k;
    for (let g = Math.max(groupStart, k - 2); g < k; g++) {
      const other = segments[(events[g] as number) >> 1] as S;
      const self = segments[e >> 1] as S;
      if (other !== self && conflict(other, self)) return [other, self];
    }

    const segment = segments[e >> 1] as S;
    if (e & 1) {
      const { below, above } = tree.remove(segment);
      const found = test(below, above);
      if (found) return found;
    } else {
      const { below, above, node } = tree.insert(segment);
      const found = test(below, node) ?? test(node, above);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * Event ids 0…n-1 ordered by (x, y), odd (right end) before even at one point: a bottom-up
 * merge sort with the comparison inlined, 2–3× faster here than Uint32Array#sort with a
 * comparator function (which dominated the sweep's time).
 */
function sortEvents(xs: Float64Array, ys: Float64Array): Uint32Array {
  const length = xs.length;
  let src = new Uint32Array(length);
  for (let i = 0; i < length; i++) src[i] = i;
  let dst = new Uint32Array(length);
  for (let width = 1; width < length; width *= 2) {
    for (let lo = 0; lo < length; lo += 2 * width) {
      const mid = Math.min(lo + width, length);
      const hi = Math.min(lo + 2 * width, length);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        const a = src[i] as number;
        const b = src[j] as number;
        const xa = xs[a] as number;
        const xb = xs[b] as number;
        let bFirst: boolean;
        if (xa !== xb) bFirst = xb < xa;
        else {
          const ya = ys[a] as number;
          const yb = ys[b] as number;
          bFirst = ya !== yb ? yb < ya : (b & 1) > (a & 1);
        }
        if (bFirst) {
          dst[k++] = b;
          j++;
        } else {
          dst[k++] = a;
          i++;
        }
      }
      while (i < mid) dst[k++] = src[i++] as number;
      while (j < hi) dst[k++] = src[j++] as number;
    }
    [src, dst] = [dst, src];
  }
  return src;
}

const orient = (ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number =>
  (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);

/**
 * Bottom-to-top order of two segments the sweep line cuts, decided where the later one starts
 * (the order of non-crossing segments does not change while both are cut): that start point
 * against the other's line, then (when it lies on it) the later one's direction.
 */
function compareSegments(s: Segment, t: Segment): number {
  if (s === t) return 0;
  const sLater = s.lx > t.lx || (s.lx === t.lx && s.ly > t.ly);
  const a = sLater ? t : s;
  const b = sLater ? s : t; // b starts later
  let o = orient(a.lx, a.ly, a.rx, a.ry, b.lx, b.ly);
  if (o === 0) o = orient(a.lx, a.ly, a.rx, a.ry, b.rx, b.ry);
  // o > 0: b above a. Collinear: any fixed order (they overlap, which the caller reports).
  if (o === 0) return sLater ? 1 : -1;
  const bAbove = o > 0;
  return sLater === bAbove ? 1 : -1;
}

interface Node<K> {
  key: K;
  priority: number;
  left: Node<K> | undefined;
  right: Node<K> | undefined;
}

/**
 * A treap (randomised balanced search tree) by split and merge; insert and remove report the
 * neighbours below and above. Priorities come from a fixed xorshift so runs are reproducible.
 */
class Treap<K> {
  private root: Node<K> | undefined;
  private seed = 0x9e3779b9;

  constructor(private readonly compare: (a: K, b: K) => number) {}

  insert(key: K): { node: Node<K>; below: Node<K> | undefined; above: Node<K> | undefined } {
    const node: Node<K> = { key, priority: this.random(), left: undefined, right: undefined };
    const [lower, upper] = this.split(this.root, key, false);
    const below = last(lower);
    const above = first(upper);
    this.root = this.merge(this.merge(lower, node), upper);
    return { node, below, above };
  }

  remove(key: K): { below: Node<K> | undefined; above: Node<K> | undefined } {
    const [lower, rest] = this.split(this.root, key, false);
    const [, upper] = this.split(rest, key, true);
    const below = last(lower);
    const above = first(upper);
    this.root = this.merge(lower, upper);
    return { below, above };
  }

  /** Keys < key to the left; the right part starts at key (orEqualLeft: keys <= key left). */
  private split(
    node: Node<K> | undefined,
    key: K,
    orEqualLeft: boolean,
  ): [Node<K> | undefined, Node<K> | undefined] {
    if (!node) return [undefined, undefined];
    const c = this.compare(node.key, key);
    if (c < 0 || (orEqualLeft && c === 0)) {
      const [l, r] = this.split(node.right, key, orEqualLeft);
      node.right = l;
      return [node, r];
    }
    const [l, r] = this.split(node.left, key, orEqualLeft);
    node.left = r;
    return [l, node];
  }

  private merge(a: Node<K> | undefined, b: Node<K> | undefined): Node<K> | undefined {
    if (!a) return b;
    if (!b) return a;
    if (a.priority > b.priority) {
      a.right = this.merge(a.right, b);
      return a;
    }
    b.left = this.merge(a, b.left);
    return b;
  }

  private random(): number {
    let x = this.seed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.seed = x >>> 0;
    return this.seed;
  }
}

function first<K>(node: Node<K> | undefined): Node<K> | undefined {
  while (node?.left) node = node.left;
  return node;
}

function last<K>(node: Node<K> | undefined): Node<K> | undefined {
  while (node?.right) node = node.right;
  return node;
}
