-- CreateTable
CREATE TABLE "processor_checkpoints" (
    "group_id" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "partition" INTEGER NOT NULL,
    "next_offset" BIGINT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "processor_checkpoints_pkey" PRIMARY KEY ("group_id","topic","partition")
);
