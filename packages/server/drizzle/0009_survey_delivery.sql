ALTER TABLE "survey_invitations" ADD COLUMN IF NOT EXISTS "opened_at" timestamp with time zone;
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "survey_deliveries" (
	"id" uuid PRIMARY KEY NOT NULL,
	"invitation_id" uuid NOT NULL,
	"ticket_id" uuid NOT NULL,
	"channel" text NOT NULL,
	"state" text NOT NULL,
	"reason" text NOT NULL,
	"actor_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "survey_deliveries_invitation_idx" ON "survey_deliveries" USING btree ("invitation_id","created_at");
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "survey_deliveries_ticket_idx" ON "survey_deliveries" USING btree ("ticket_id","created_at");
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "survey_responses_team_answered_idx" ON "survey_responses" USING btree ("team_id","answered_at");
