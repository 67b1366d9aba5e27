export { TruckWindowColumns } from "./columns";
export { limitAt, PartitionWindows, pathLength } from "./engine";
export { EARTH_RADIUS_M, greatCircleM } from "./geo";
export { NaiveWindows } from "./naive";
export {
  bruteForceWindows,
  combinePartials,
  type OracleRecord,
  type OracleResult,
  scopeWindowKey,
  truckWindowKey,
} from "./oracle";
export * from "./plan";
export * from "./types";
export { isIdle, type PartitionProgress, processorWatermark } from "./watermark";
