// isNewerFix: the contract's one rule for a truck's latest fix, as in the processor.
import { isNewerFix, type TruckPosition } from "@fleetstream/contracts";

/**
 * The latest position of every truck, plus which trucks changed since the last `takeChanged()`.
 * The web server applies every record it consumes and pushes `takeChanged()` on a timer, so a
 * browser gets at most one position per truck per push however many fixes arrived in between.
 */
export class LatestPositions {
  readonly #latest = new Map<string, TruckPosition>();
  readonly #changed = new Set<string>();

  /** Records a position; returns false (and changes nothing) when it is not newer. */
  apply(position: TruckPosition): boolean {
    if (!isNewerFix(position, this.#latest.get(position.truckId))) return false;
    this.#latest.set(position.truckId, position);
    this.#changed.add(position.truckId);
    return true;
  }

  get size(): number {
    return this.#latest.size;
  }

  get(truckId: string): TruckPosition | undefined {
    return this.#latest.get(truckId);
  }

  /** Every truck's latest position, in no particular order. */
  values(): IterableIterator<TruckPosition> {
    return this.#latest.values();
  }

  /** Every truck's latest position, ordered by truck id. */
  snapshot(): TruckPosition[] {
    return [...this.#latest.values()].sort(byTruckId);
  }

  /** The latest position of each truck changed since the previous call, ordered by truck id. */
  takeChanged(): TruckPosition[] {
    const changed: TruckPosition[] = [];
    for (const truckId of this.#changed) {
      const position = this.#latest.get(truckId);
      if (position) changed.push(position);
    }
    this.#changed.clear();
    return changed.sort(byTruckId);
  }
}

function byTruckId(a: TruckPosition, b: TruckPosition): number {
  return a.truckId < b.truckId ? -1 : a.truckId > b.truckId ? 1 : 0;
}
