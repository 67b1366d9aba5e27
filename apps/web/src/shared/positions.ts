import type { TruckPosition } from "@fleetstream/contracts";

/**
 * Whether `candidate` should replace `current` as a truck's latest position: only a higher
 * per-truck sequence number wins, so redelivered or reordered records never move a truck back.
 * The same rule on the server (its view of the topic) and in the browser (its copy).
 */
export function isNewerPosition(
  candidate: TruckPosition,
  current: TruckPosition | undefined,
): boolean {
  return current === undefined || candidate.seq > current.seq;
}
