-- AlterTable
ALTER TABLE "promotion" ADD COLUMN     "auto_merge_refusal" JSONB,
ADD COLUMN     "review_status" JSONB;
