// Lanes: which operators one processor process runs, and the consumer group that follows from
// it (README "Processor lanes"). No imports: the launchers and the e2e server read it too.

/** The processor's operators, in the order they run on a batch. */
export const PROCESSOR_OPERATOR_NAMES = ["positions", "geofence", "windows"] as const;
export type ProcessorOperatorName = (typeof PROCESSOR_OPERATOR_NAMES)[number];

/**
 * The processor's lanes as `npm run stack` and the benches run them, each its own process and
 * consumer group: positions and geofence alerts (what a dispatcher waits for), and the speed
 * windows, whose minute closes (a final window per truck at once) would hold the others'
 * checkpoints for seconds in one lane.
 */
export const SPLIT_LANES: readonly (readonly ProcessorOperatorName[])[] = [
  ["positions", "geofence"],
  ["windows"],
];

/** Whether a lane runs every operator (the processor undivided). */
export const runsAllOperators = (operators: readonly ProcessorOperatorName[]): boolean =>
  operators.length === PROCESSOR_OPERATOR_NAMES.length;

/**
 * The consumer group of a lane: PROCESSOR_GROUP_ID for all operators, with the lane's operators
 * appended otherwise (e.g. fleetstream-processor-windows). Two different lanes can then never
 * share a group, whose checkpoints would fence each other.
 */
export function laneGroupId(
  groupId: string,
  operators: readonly ProcessorOperatorName[] = PROCESSOR_OPERATOR_NAMES,
): string {
  return runsAllOperators(operators) ? groupId : `${groupId}-${operators.join("-")}`;
}
