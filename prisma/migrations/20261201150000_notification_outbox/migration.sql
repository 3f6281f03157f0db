-- Notifications (lib/notify): one row per audit event and target, delivered with retries,
-- and how far each repository's events have been routed. Additive only.
-- CreateEnum
CREATE TYPE "NotificationKind" AS ENUM ('slack', 'webhook');

-- CreateEnum
CREATE TYPE "NotificationStatus" AS ENUM ('PENDING', 'DELIVERED', 'DEAD');

-- CreateTable
CREATE TABLE "notification_delivery" (
    "id" UUID NOT NULL,
    "event_id" BIGINT NOT NULL,
    "event_type" TEXT NOT NULL,
    "repository" TEXT NOT NULL,
    "promotion_id" UUID,
    "sequence_key" TEXT,
    "target" TEXT NOT NULL,
    "kind" "NotificationKind" NOT NULL,
    "url" TEXT,
    "url_env" TEXT,
    "secret_env" TEXT,
    "payload" JSONB NOT NULL,
    "status" "NotificationStatus" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL,
    "lease_token" UUID,
    "last_attempt_at" TIMESTAMPTZ(3),
    "last_status" INTEGER,
    "last_error" TEXT,
    "delivered_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "notification_delivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "notification_cursor" (
    "repository" TEXT NOT NULL,
    "last_event_id" BIGINT NOT NULL,
    "last_error" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "notification_cursor_pkey" PRIMARY KEY ("repository")
);

-- CreateIndex
CREATE INDEX "notification_delivery_status_next_attempt_at_idx" ON "notification_delivery"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "notification_delivery_target_sequence_key_event_id_idx" ON "notification_delivery"("target", "sequence_key", "event_id");

-- CreateIndex
CREATE INDEX "notification_delivery_promotion_id_idx" ON "notification_delivery"("promotion_id");

-- CreateIndex
CREATE UNIQUE INDEX "notification_delivery_event_id_target_key" ON "notification_delivery"("event_id", "target");

