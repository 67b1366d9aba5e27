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

/** Whether a lane's results are on the live path (the map's positions and the alerts). */
export const isLiveLane = (operators: readonly ProcessorOperatorName[]): boolean =>
  operators.includes("positions") || operators.includes("geofence");

/**
 * How a lane off the live path (the speed windows) fetches: once 64 KiB (~430 fixes) are there
 * or 250 ms have passed, instead of at every record: fewer, larger fetches for it and for the
 * broker, on the cores the live path shares (latency bench at 2,000 fixes/s, one A/B pair: the
 * processors 8.6 → 7.1 CPU seconds per 20 s, Kafka 9.5 → 8.6). Its windows close on minutes.
 */
export const BATCHED_FETCH = { minBytes: 64 * 1024, maxWaitTimeMs: 250 } as const;

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
