-- Email review queue (issue #14, email finished): why an inbound mail waits for review (unknown sender, suspected spam,
-- a ticket token of another customer), and who handled it how (a ticket made, attached to a ticket, or discarded
-- with a reason).
ALTER TABLE "channel_messages" ADD COLUMN "review_reason" text;
--> statement-breakpoint
ALTER TABLE "channel_messages" ADD COLUMN "reviewed_by" uuid;
--> statement-breakpoint
ALTER TABLE "channel_messages" ADD COLUMN "reviewed_at" timestamp with time zone;
--> statement-breakpoint
ALTER TABLE "channel_messages" ADD COLUMN "review_note" text;
--> statement-breakpoint
CREATE INDEX "channel_messages_review_idx" ON "channel_messages" ("created_at") WHERE "outcome" = 'review';
