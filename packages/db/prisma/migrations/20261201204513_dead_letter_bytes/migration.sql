-- AlterTable
ALTER TABLE "dead_letters" ADD COLUMN     "header_bytes" JSONB,
ADD COLUMN     "key_bytes" BYTEA;
