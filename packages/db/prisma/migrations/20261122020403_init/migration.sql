-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "trucks" (
    "id" TEXT NOT NULL,
    "lat" DOUBLE PRECISION NOT NULL,
    "lon" DOUBLE PRECISION NOT NULL,
    "speed_kmh" DOUBLE PRECISION NOT NULL,
    "heading_deg" DOUBLE PRECISION NOT NULL,
    "event_time" TIMESTAMPTZ(3) NOT NULL,
    "seq" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "trucks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "position_fixes" (
    "id" BIGSERIAL NOT NULL,
    "truck_id" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "lat" DOUBLE PRECISION NOT NULL,
    "lon" DOUBLE PRECISION NOT NULL,
    "speed_kmh" DOUBLE PRECISION NOT NULL,
    "heading_deg" DOUBLE PRECISION NOT NULL,
    "accuracy_m" DOUBLE PRECISION,
    "event_time" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "position_fixes_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "position_fixes_truck_id_event_time_idx" ON "position_fixes"("truck_id", "event_time");

-- CreateIndex
CREATE UNIQUE INDEX "position_fixes_truck_id_seq_key" ON "position_fixes"("truck_id", "seq");

-- AddForeignKey
ALTER TABLE "position_fixes" ADD CONSTRAINT "position_fixes_truck_id_fkey" FOREIGN KEY ("truck_id") REFERENCES "trucks"("id") ON DELETE CASCADE ON UPDATE CASCADE;
