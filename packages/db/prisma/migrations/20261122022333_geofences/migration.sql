-- CreateTable
CREATE TABLE "geofences" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "tags" TEXT[],
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "geometry" JSONB NOT NULL,
    "speed_limit_kmh" DOUBLE PRECISION,
    "dwell_seconds" INTEGER,
    "debounce_fixes" INTEGER NOT NULL,
    "debounce_seconds" DOUBLE PRECISION NOT NULL,
    "version" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "geofences_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "geofence_truck_states" (
    "group_id" TEXT NOT NULL,
    "truck_id" TEXT NOT NULL,
    "partition" INTEGER NOT NULL,
    "state" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "geofence_truck_states_pkey" PRIMARY KEY ("group_id","truck_id")
);

-- CreateTable
CREATE TABLE "geofence_alerts" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "truck_id" TEXT NOT NULL,
    "geofence_id" TEXT NOT NULL,
    "geofence_version" INTEGER NOT NULL,
    "event_time" TIMESTAMPTZ(3) NOT NULL,
    "since" TIMESTAMPTZ(3) NOT NULL,
    "seq" INTEGER NOT NULL,
    "lat" DOUBLE PRECISION NOT NULL,
    "lon" DOUBLE PRECISION NOT NULL,
    "speed_kmh" DOUBLE PRECISION NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "geofence_alerts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "geofence_truck_states_group_id_partition_idx" ON "geofence_truck_states"("group_id", "partition");

-- CreateIndex
CREATE INDEX "geofence_alerts_truck_id_event_time_idx" ON "geofence_alerts"("truck_id", "event_time");

-- CreateIndex
CREATE INDEX "geofence_alerts_geofence_id_event_time_idx" ON "geofence_alerts"("geofence_id", "event_time");
