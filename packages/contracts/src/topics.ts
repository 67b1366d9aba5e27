/**
 * Every Kafka topic the product uses, with its owner and settings.
 * Apps create missing topics from this table at start (see @fleetstream/eventlog `ensureTopics`).
 */
export interface TopicSpec {
  name: string;
  /** Default partition count; GPS_TOPIC_PARTITIONS overrides it for the partitioned topics. */
  partitions: number;
  /** Extra topic configs passed to the broker at creation, e.g. cleanup.policy. */
  config?: Record<string, string>;
  /** Which app writes the topic (see ARCHITECTURE.md). */
  owner: "simulator" | "processor" | "web";
}

export const DEFAULT_GPS_PARTITIONS = 5;

export const TOPICS = {
  /** Raw GPS fixes from trucks (key = truck id). */
  gpsFixes: { name: "gps_location_trucks", partitions: DEFAULT_GPS_PARTITIONS, owner: "simulator" },
  /** Records from gps_location_trucks that failed validation: original bytes + reason headers. */
  gpsDeadLetter: {
    name: "gps_location_trucks_dlq",
    partitions: DEFAULT_GPS_PARTITIONS,
    owner: "processor",
  },
  /** Latest accepted position per truck (key = truck id); compacted so a reader can rebuild the fleet. */
  truckPositions: {
    name: "truck_positions",
    partitions: DEFAULT_GPS_PARTITIONS,
    config: { "cleanup.policy": "compact" },
    owner: "processor",
  },
  /**
   * Every geofence change (key = geofence id, value = Geofence JSON, tombstone on delete);
   * compacted, read whole by each processor instance at start. One partition: changes stay in
   * write order.
   */
  geofences: {
    name: "geofences",
    partitions: 1,
    config: { "cleanup.policy": "compact" },
    owner: "web",
  },
  /** Geofence alerts, GeofenceAlert JSON (key = truck id); consumers dedupe by alert id. */
  truckGeofenceAlerts: {
    name: "truck_geofence_alerts",
    partitions: DEFAULT_GPS_PARTITIONS,
    owner: "processor",
  },
  /** Per-truck speed windows, TruckSpeedWindow JSON (key = truck id); see contracts windows.ts. */
  truckSpeedWindows: {
    name: "truck_speed_windows",
    partitions: DEFAULT_GPS_PARTITIONS,
    owner: "processor",
  },
  /** Fleet-wide and per-geofence speed windows, ScopeSpeedWindow JSON (key = "fleet" or
   * "geofence:<id>"). */
  scopeSpeedWindows: {
    name: "fleet_speed_windows",
    partitions: DEFAULT_GPS_PARTITIONS,
    owner: "processor",
  },
  /** Fixes that came after their window was final, LateGpsFix JSON with the reason (key = truck id). */
  gpsLate: {
    name: "gps_location_trucks_late",
    partitions: DEFAULT_GPS_PARTITIONS,
    owner: "processor",
  },
} as const satisfies Record<string, TopicSpec>;

export type TopicKey = keyof typeof TOPICS;

/** Headers a dead-lettered record carries (Kafka Connect's DLQ header convention, shortened). */
export const DLQ_HEADERS = {
  reason: "dlq.reason",
  sourceTopic: "dlq.source.topic",
  sourcePartition: "dlq.source.partition",
  sourceOffset: "dlq.source.offset",
  failedAt: "dlq.failed.at",
  /**
   * Set on a reference record: the original did not fit a Kafka record with these headers, so
   * it is kept whole in the named PostgreSQL table (by source topic, partition and offset) and
   * this record carries no value and none of the original headers.
   */
  storedIn: "dlq.stored.in",
} as const;
