export { TruckWindowColumns } from "./columns";
export { createPartitionWindows, limitAt, type PartitionWindows } from "./engine";
export { NaiveWindows } from "./naive";
export {
  bruteForceWindows,
  combinePartials,
  type OracleRecord,
  type OracleResult,
  scopeWindowKey,
  truckWindowKey,
} from "./oracle";
export { pathLength } from "./pane";
export * from "./plan";
export * from "./types";
export { isIdle, type PartitionProgress, processorWatermark } from "./watermark";
