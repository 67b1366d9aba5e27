-- CreateTable
CREATE TABLE "dead_letters" (
    "source_topic" TEXT NOT NULL,
    "source_partition" INTEGER NOT NULL,
    "source_offset" BIGINT NOT NULL,
    "key" TEXT,
    "value" BYTEA,
    "headers" JSONB NOT NULL,
    "reason" TEXT NOT NULL,
    "failed_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "dead_letters_pkey" PRIMARY KEY ("source_topic","source_partition","source_offset")
);
