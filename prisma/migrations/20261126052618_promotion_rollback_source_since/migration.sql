-- AlterTable
ALTER TABLE "promotion" ADD COLUMN     "rollback" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "source_since" TIMESTAMPTZ(3);

-- Audit events are append-only: the code has no update or delete path, and the
-- database refuses one too (the hash chain still detects tampering by a superuser).
-- The function body is an escape string with \073 for the semicolon, because the
-- offline schema engine's driver adapter splits migration scripts at every semicolon.
CREATE FUNCTION "promotion_event_append_only"() RETURNS trigger LANGUAGE plpgsql AS
E'BEGIN RAISE EXCEPTION ''promotion_event is append-only (% refused)'', TG_OP\073 END\073';

CREATE TRIGGER "promotion_event_no_update_delete"
  BEFORE UPDATE OR DELETE ON "promotion_event"
  FOR EACH ROW EXECUTE FUNCTION "promotion_event_append_only"();

CREATE TRIGGER "promotion_event_no_truncate"
  BEFORE TRUNCATE ON "promotion_event"
  FOR EACH STATEMENT EXECUTE FUNCTION "promotion_event_append_only"();
