-- Throughput (issue 13): 64-bit sequence numbers, position_fixes partitioned by day of event time,
-- and the operators' state in one keyed table written at checkpoints.

-- AlterTable
ALTER TABLE "geofence_alerts" ALTER COLUMN "seq" SET DATA TYPE BIGINT;

-- AlterTable
ALTER TABLE "speed_window_late_fixes" DROP CONSTRAINT "speed_window_late_fixes_pkey",
ALTER COLUMN "seq" SET DATA TYPE BIGINT,
ADD CONSTRAINT "speed_window_late_fixes_pkey" PRIMARY KEY ("truck_id", "seq");

-- AlterTable
ALTER TABLE "trucks" ALTER COLUMN "seq" SET DATA TYPE BIGINT;

-- position_fixes becomes a table PARTITIONED BY RANGE (event_time), one partition per UTC day
-- (hand-written: Prisma does not model partitioning; it sees the parent as a plain table). The
-- primary key (truck, event time, seq) keeps a fix once and serves "one truck, a time range";
-- the foreign key to trucks is gone (the log of fixes is the source, trucks is derived from it).
ALTER TABLE "position_fixes" DROP CONSTRAINT "position_fixes_truck_id_fkey";
DROP INDEX "position_fixes_truck_id_event_time_idx";
DROP INDEX "position_fixes_truck_id_seq_key";
ALTER TABLE "position_fixes" DROP CONSTRAINT "position_fixes_pkey";
ALTER TABLE "position_fixes" RENAME TO "position_fixes_unpartitioned";

CREATE TABLE "position_fixes" (
    "truck_id" TEXT NOT NULL,
    "event_time" TIMESTAMPTZ(3) NOT NULL,
    "seq" BIGINT NOT NULL,
    "lat" DOUBLE PRECISION NOT NULL,
    "lon" DOUBLE PRECISION NOT NULL,
    "speed_kmh" DOUBLE PRECISION NOT NULL,
    "heading_deg" DOUBLE PRECISION NOT NULL,
    "accuracy_m" DOUBLE PRECISION,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "position_fixes_pkey" PRIMARY KEY ("truck_id","event_time","seq")
) PARTITION BY RANGE ("event_time");

-- Existing fixes move into daily partitions named position_fixes_pYYYYMMDD (as the processor
-- names the ones it creates).
DO $$
DECLARE d date;
BEGIN
  FOR d IN SELECT DISTINCT (event_time AT TIME ZONE 'UTC')::date FROM position_fixes_unpartitioned LOOP
    EXECUTE format(
      'CREATE TABLE %I PARTITION OF position_fixes FOR VALUES FROM (%L) TO (%L)',
      'position_fixes_p' || to_char(d, 'YYYYMMDD'),
      d::timestamp AT TIME ZONE 'UTC',
      (d + 1)::timestamp AT TIME ZONE 'UTC');
  END LOOP;
END $$;
INSERT INTO "position_fixes" ("truck_id", "event_time", "seq", "lat", "lon", "speed_kmh",
    "heading_deg", "accuracy_m", "received_at")
SELECT "truck_id", "event_time", "seq", "lat", "lon", "speed_kmh", "heading_deg", "accuracy_m",
    "received_at"
FROM "position_fixes_unpartitioned"
ON CONFLICT DO NOTHING;
DROP TABLE "position_fixes_unpartitioned";

-- Operator state: one row per (group, input partition, key), replacing the per-batch state
-- tables. A processor upgraded in place starts its operators' state afresh at its checkpoint.
DROP TABLE "geofence_truck_states";
DROP TABLE "speed_window_panes";

-- CreateTable
CREATE TABLE "processor_state" (
    "group_id" TEXT NOT NULL,
    "partition" INTEGER NOT NULL,
    "key" TEXT NOT NULL,
    "state" TEXT NOT NULL,

    CONSTRAINT "processor_state_pkey" PRIMARY KEY ("group_id","partition","key")
);
