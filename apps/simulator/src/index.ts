/**
 * @fleetstream/simulator: the simulated truck fleet as a library.
 * - createSimulator: the realtime fleet for the embedded all-in-one launcher.
 * - createEventStream / createFleet: the pure, seeded generators (no clock, no I/O).
 * The `fleet-sim` CLI (src/cli.ts) is built on the same pieces.
 */
export { MALFORMED_KINDS, type MalformedKind, malformFix, serializeFix } from "./domain/codec";
export {
  type Emission,
  type FaultCounts,
  type FaultOptions,
  type Injected,
  NO_FAULTS,
} from "./domain/faults";
export { createFleet, type Fleet, type FleetOptions, type SimFix, truckId } from "./domain/fleet";
export { type Leg, ROAD_CLASSES, type RoadClass } from "./domain/leg";
export { builtInRegion, builtInRoadNetwork, type Region, type RoadLine } from "./domain/region";
export { parseRouteFile, type RoutePlanner, regionPlanner, shuttlePlanner } from "./domain/routes";
export {
  arraySource,
  createEventStream,
  type EventStream,
  type RecordSource,
  type StreamOptions,
} from "./domain/stream";
export { KINEMATICS, STOPS } from "./domain/truck";
export type { RunSummary } from "./io/report";
export type { RunOutcome, StopReason } from "./io/runner";
export {
  createSimulator,
  DEFAULT_SIMULATION_OPTIONS,
  type SimulationOptions,
  type Simulator,
  type SimulatorDeps,
} from "./simulator";
