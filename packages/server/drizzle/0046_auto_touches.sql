-- Automatic care contacts and reactivation touches (docs/surveys.md §4/§5): a task in mode 'message' is sent through
-- the customer's channel when due; the channel, the send time, the outbox row (its delivery status) and, when no
-- channel could take it, why it fell back to a task for a person.
ALTER TABLE "care_tasks" ADD COLUMN "mode" text DEFAULT 'task' NOT NULL;--> statement-breakpoint
ALTER TABLE "care_tasks" ADD COLUMN "auto_state" text;--> statement-breakpoint
ALTER TABLE "care_tasks" ADD COLUMN "auto_channel" text;--> statement-breakpoint
ALTER TABLE "care_tasks" ADD COLUMN "auto_sent_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "care_tasks" ADD COLUMN "auto_outbox_id" uuid;--> statement-breakpoint
ALTER TABLE "care_tasks" ADD COLUMN "auto_reason" text;--> statement-breakpoint
CREATE INDEX "care_tasks_auto_due_idx" ON "care_tasks" USING btree ("due_at") WHERE state = 'pending' AND mode = 'message' AND auto_state IS NULL;
