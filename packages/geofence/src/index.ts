/**
 * @fleetstream/geofence: the geofence domain, pure (no clock, no I/O).
 * - geometry: compiled shapes (polygon/multipolygon with holes, circle, corridor), closed sets;
 * - validation: topology problems the schema cannot see (self-intersection, supported region);
 * - GeofenceIndex: versions of every fence over event time behind a flatbush R-tree;
 * - GeofenceAlerter: the per-truck ENTER/EXIT/DWELL/CROSSED/OVERSPEED state machine.
 */
export {
  type AlerterOptions,
  type AlerterStats,
  DEFAULT_CROSSING_MAX_GAP_MS,
  type FixLike,
  type FixOutcome,
  GeofenceAlerter,
  parseTruckState,
  type TruckStateJson,
} from "./alerts";
export {
  compileVersion,
  DEFAULT_HISTORY_MS,
  type FenceSource,
  type FenceVersion,
  GeofenceIndex,
  type GeofenceIndexOptions,
} from "./fence-index";
export {
  type BBox,
  BOUNDARY,
  compileShape,
  INSIDE,
  OUTSIDE,
  ringPosition,
  type Shape,
  segmentsIntersect,
} from "./shapes";
export {
  arc,
  distanceToArcM,
  EARTH_RADIUS_M,
  type GeoPoint,
  geoPoint,
  greatCircleM,
} from "./sphere";
export {
  geometryProblems,
  MAX_ABS_LATITUDE,
  MAX_POSITIONS,
  tooManyPositions,
} from "./validate";
