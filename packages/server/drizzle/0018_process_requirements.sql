ALTER TABLE "handovers" ADD COLUMN IF NOT EXISTS "reason_kind" text DEFAULT 'shift_handover' NOT NULL;--> statement-breakpoint
ALTER TABLE "handovers" ADD COLUMN IF NOT EXISTS "reason_note" text;--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "solution_offers" (
	"id" uuid PRIMARY KEY NOT NULL,
	"ticket_id" uuid NOT NULL,
	"options" jsonb NOT NULL,
	"chosen" integer,
	"offered_by_id" uuid NOT NULL,
	"offered_at" timestamp with time zone DEFAULT now() NOT NULL,
	"chosen_by_id" uuid,
	"chosen_at" timestamp with time zone
);
--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "solution_offers_ticket_key" ON "solution_offers" USING btree ("ticket_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "solution_offers_offered_idx" ON "solution_offers" USING btree ("offered_at");
