import { isNewerFix, type TruckPosition } from "@fleetstream/contracts";

/**
 * Whether `candidate` should replace `current` as a truck's latest position: the contract's
 * ordering rule (isNewerFix: later event time, then higher seq), so redelivered or reordered
 * records never move a truck back. The same rule on the server (its view of the topic) and in
 * the browser (its copy).
 */
export function isNewerPosition(
  candidate: TruckPosition,
  current: TruckPosition | undefined,
): boolean {
  return isNewerFix(candidate, current);
}
