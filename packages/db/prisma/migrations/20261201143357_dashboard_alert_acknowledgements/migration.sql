-- CreateTable
CREATE TABLE "alert_acknowledgements" (
    "alert_id" TEXT NOT NULL,
    "acknowledged_by" TEXT NOT NULL,
    "acknowledged_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "alert_acknowledgements_pkey" PRIMARY KEY ("alert_id")
);

-- CreateIndex
CREATE INDEX "geofence_alerts_event_time_id_idx" ON "geofence_alerts"("event_time", "id");
