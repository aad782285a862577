-- Field dispatch (issue #16 items 2, 3, 8): technicians' calendars, skills and areas; booking details of a visit
-- (phone confirmation, reschedule / cancel reasons, reminder, the dispatch proposal); the day index of the board.
CREATE TABLE "field_technicians" (
	"staff_id" uuid PRIMARY KEY NOT NULL,
	"calendar_id" uuid,
	"skills" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"area_site_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "field_visit_bookings" (
	"visit_id" uuid PRIMARY KEY NOT NULL,
	"skill" text,
	"booked_by" text DEFAULT 'agent' NOT NULL,
	"proposal" jsonb,
	"confirmed_at" timestamp with time zone,
	"confirmed_by" uuid,
	"confirm_note" text,
	"cancel_reason" text,
	"reschedule_reason" text,
	"reschedules" integer DEFAULT 0 NOT NULL,
	"reminded_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "field_visits_day_idx" ON "field_visits" USING btree ("starts_at");
