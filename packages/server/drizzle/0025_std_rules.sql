-- Process rules (issue #13 item 7): a compensation counts as granted only once the customer accepted it (seed 001).
-- One row per compensation the customer answered (accepted or refused), with the channel and who recorded it. A
-- granted compensation without a row is "offered". Compensations granted before this rule count as accepted.
CREATE TABLE "compensation_acceptances" (
	"compensation_id" uuid PRIMARY KEY NOT NULL,
	"ticket_id" uuid NOT NULL,
	"decision" text NOT NULL,
	"channel" text NOT NULL,
	"by_kind" text NOT NULL,
	"by_id" uuid,
	"note" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "compensation_acceptances_decision_check" CHECK ("decision" IN ('accepted', 'refused'))
);
--> statement-breakpoint
CREATE INDEX "compensation_acceptances_ticket_idx" ON "compensation_acceptances" USING btree ("ticket_id");
--> statement-breakpoint
INSERT INTO "compensation_acceptances" ("compensation_id", "ticket_id", "decision", "channel", "by_kind", "at")
SELECT "id", "ticket_id", 'accepted', 'legacy', 'system', COALESCE("decided_at", "created_at") FROM "compensations" WHERE "state" = 'granted';
