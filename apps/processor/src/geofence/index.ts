export {
  createGeofenceOperator,
  type GeofenceOperator,
  type GeofenceOperatorDeps,
} from "./operator";
export {
  createGeofenceRegistry,
  type GeofenceRegistry,
  type GeofenceRegistryDeps,
  type GeofenceRegistryStats,
} from "./registry";
