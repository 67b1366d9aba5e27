-- AlterTable
ALTER TABLE "processor_checkpoints" ADD COLUMN     "state_offset" BIGINT;
