-- #14: the tag travels with the digest, tag-only and non-image promotions have no digest, and
-- promotions opened in one pull request share a bundle id.
ALTER TABLE "promotion" ADD COLUMN     "kind" TEXT NOT NULL DEFAULT 'image',
ADD COLUMN     "tag" TEXT,
ADD COLUMN     "previous_tag" TEXT,
ADD COLUMN     "bundle_id" UUID,
ALTER COLUMN "digest" DROP NOT NULL;

-- CreateIndex
CREATE INDEX "promotion_bundle_id_idx" ON "promotion"("bundle_id");
