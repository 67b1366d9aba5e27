-- CreateTable
CREATE TABLE "truck_speed_windows" (
    "truck_id" TEXT NOT NULL,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "size_ms" INTEGER NOT NULL,
    "window_end" TIMESTAMPTZ(3) NOT NULL,
    "kind" TEXT NOT NULL,
    "final" BOOLEAN NOT NULL,
    "fix_count" INTEGER NOT NULL,
    "avg_speed_kmh" DOUBLE PRECISION NOT NULL,
    "max_speed_kmh" DOUBLE PRECISION NOT NULL,
    "speeding_count" INTEGER NOT NULL,
    "distance_m" DOUBLE PRECISION NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "truck_speed_windows_pkey" PRIMARY KEY ("truck_id","window_start","size_ms")
);

-- CreateTable
CREATE TABLE "scope_speed_windows" (
    "scope_type" TEXT NOT NULL,
    "scope_id" TEXT NOT NULL,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "size_ms" INTEGER NOT NULL,
    "window_end" TIMESTAMPTZ(3) NOT NULL,
    "final" BOOLEAN NOT NULL,
    "active_trucks" INTEGER NOT NULL,
    "speeding_trucks" INTEGER NOT NULL,
    "fix_count" INTEGER NOT NULL,
    "speed_sum_kmh" DOUBLE PRECISION NOT NULL,
    "avg_speed_kmh" DOUBLE PRECISION NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "pending" BOOLEAN NOT NULL DEFAULT true,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "scope_speed_windows_pkey" PRIMARY KEY ("scope_type","scope_id","window_start","size_ms")
);

-- CreateTable
CREATE TABLE "scope_speed_window_partials" (
    "group_id" TEXT NOT NULL,
    "scope_type" TEXT NOT NULL,
    "scope_id" TEXT NOT NULL,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "size_ms" INTEGER NOT NULL,
    "partition" INTEGER NOT NULL,
    "window_end" TIMESTAMPTZ(3) NOT NULL,
    "final" BOOLEAN NOT NULL,
    "active_trucks" INTEGER NOT NULL,
    "speeding_trucks" INTEGER NOT NULL,
    "fix_count" INTEGER NOT NULL,
    "speed_sum_kmh" DOUBLE PRECISION NOT NULL,
    "dirty" BOOLEAN NOT NULL DEFAULT true,

    CONSTRAINT "scope_speed_window_partials_pkey" PRIMARY KEY ("group_id","scope_type","scope_id","window_start","size_ms","partition")
);

-- CreateTable
CREATE TABLE "speed_window_partitions" (
    "group_id" TEXT NOT NULL,
    "partition" INTEGER NOT NULL,
    "watermark_ms" BIGINT,
    "max_event_time_ms" BIGINT,
    "late_count" BIGINT NOT NULL DEFAULT 0,
    "duplicate_count" BIGINT NOT NULL DEFAULT 0,
    "last_input_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "speed_window_partitions_pkey" PRIMARY KEY ("group_id","partition")
);

-- CreateTable
CREATE TABLE "speed_window_panes" (
    "group_id" TEXT NOT NULL,
    "partition" INTEGER NOT NULL,
    "truck_id" TEXT NOT NULL,
    "pane_start_ms" BIGINT NOT NULL,
    "state" JSONB NOT NULL,

    CONSTRAINT "speed_window_panes_pkey" PRIMARY KEY ("group_id","partition","truck_id","pane_start_ms")
);

-- CreateTable
CREATE TABLE "speed_window_groups" (
    "group_id" TEXT NOT NULL,
    "processor_watermark_ms" BIGINT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "speed_window_groups_pkey" PRIMARY KEY ("group_id")
);

-- CreateTable
CREATE TABLE "speed_window_late_fixes" (
    "truck_id" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "event_time" TIMESTAMPTZ(3) NOT NULL,
    "partition" INTEGER NOT NULL,
    "offset" BIGINT NOT NULL,
    "reason" TEXT NOT NULL,
    "window_end" TIMESTAMPTZ(3) NOT NULL,
    "watermark_ms" BIGINT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "speed_window_late_fixes_pkey" PRIMARY KEY ("truck_id","seq")
);

-- CreateIndex
CREATE INDEX "truck_speed_windows_window_start_idx" ON "truck_speed_windows"("window_start");

-- CreateIndex
CREATE INDEX "scope_speed_windows_final_window_end_idx" ON "scope_speed_windows"("final", "window_end");

-- CreateIndex
CREATE INDEX "scope_speed_windows_pending_idx" ON "scope_speed_windows"("pending");

-- CreateIndex
CREATE INDEX "scope_speed_window_partials_group_id_dirty_idx" ON "scope_speed_window_partials"("group_id", "dirty");

-- CreateIndex
CREATE INDEX "scope_speed_window_partials_group_id_partition_final_idx" ON "scope_speed_window_partials"("group_id", "partition", "final");

-- CreateIndex
CREATE INDEX "speed_window_panes_group_id_partition_pane_start_ms_idx" ON "speed_window_panes"("group_id", "partition", "pane_start_ms");
