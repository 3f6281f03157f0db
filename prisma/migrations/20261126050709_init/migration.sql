-- CreateEnum
CREATE TYPE "PromotionStatus" AS ENUM ('PENDING', 'OPEN', 'MERGED', 'CLOSED', 'FAILED');

-- CreateTable
CREATE TABLE "promotion" (
    "id" UUID NOT NULL,
    "repository" TEXT NOT NULL,
    "app" TEXT NOT NULL,
    "image" TEXT NOT NULL,
    "from_env" TEXT NOT NULL,
    "to_env" TEXT NOT NULL,
    "digest" TEXT NOT NULL,
    "previous_digest" TEXT,
    "status" "PromotionStatus" NOT NULL DEFAULT 'PENDING',
    "idempotency_key" TEXT NOT NULL,
    "open_slot" TEXT,
    "pr_number" INTEGER,
    "pr_url" TEXT,
    "branch" TEXT,
    "head_commit" TEXT,
    "base_commit" TEXT NOT NULL,
    "target_path" TEXT,
    "requested_by" TEXT NOT NULL,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "opened_at" TIMESTAMPTZ(3),
    "closed_at" TIMESTAMPTZ(3),

    CONSTRAINT "promotion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "promotion_event" (
    "id" BIGSERIAL NOT NULL,
    "promotion_id" UUID,
    "repository" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "detail" JSONB NOT NULL DEFAULT '{}',
    "prev_hash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "promotion_event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "environment_lock" (
    "id" UUID NOT NULL,
    "repository" TEXT NOT NULL,
    "app" TEXT NOT NULL DEFAULT '*',
    "env" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3),
    "released_at" TIMESTAMPTZ(3),
    "released_by" TEXT,

    CONSTRAINT "environment_lock_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_delivery" (
    "delivery_id" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processed_at" TIMESTAMPTZ(3),
    "outcome" TEXT,

    CONSTRAINT "webhook_delivery_pkey" PRIMARY KEY ("delivery_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "promotion_idempotency_key_key" ON "promotion"("idempotency_key");

-- CreateIndex
CREATE UNIQUE INDEX "promotion_open_slot_key" ON "promotion"("open_slot");

-- CreateIndex
CREATE INDEX "promotion_repository_app_to_env_created_at_idx" ON "promotion"("repository", "app", "to_env", "created_at");

-- CreateIndex
CREATE INDEX "promotion_status_idx" ON "promotion"("status");

-- CreateIndex
CREATE INDEX "promotion_created_at_idx" ON "promotion"("created_at");

-- CreateIndex
CREATE UNIQUE INDEX "promotion_event_hash_key" ON "promotion_event"("hash");

-- CreateIndex
CREATE INDEX "promotion_event_promotion_id_idx" ON "promotion_event"("promotion_id");

-- CreateIndex
CREATE INDEX "promotion_event_repository_created_at_idx" ON "promotion_event"("repository", "created_at");

-- CreateIndex
CREATE INDEX "environment_lock_repository_env_idx" ON "environment_lock"("repository", "env");

-- AddForeignKey
ALTER TABLE "promotion_event" ADD CONSTRAINT "promotion_event_promotion_id_fkey" FOREIGN KEY ("promotion_id") REFERENCES "promotion"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
