-- Visit reminders to the customer (issue #16 item 2): one row per visit and scheduled start, inserted by the reminder
-- pass before it queues anything (the primary key makes two processes send once); a reschedule (a new start) re-arms.
-- `rescheduled_at` on the booking: a reminder due before the reschedule falls back to N hours before the new window.
CREATE TABLE "field_visit_reminders" (
	"visit_id" uuid NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"state" text DEFAULT 'sending' NOT NULL,
	"channels" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"skipped" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "field_visit_reminders_pkey" PRIMARY KEY("visit_id","starts_at"),
	CONSTRAINT "field_visit_reminders_state_check" CHECK ("field_visit_reminders"."state" IN ('sending', 'sent', 'unreachable'))
);
--> statement-breakpoint
ALTER TABLE "field_visit_bookings" ADD COLUMN "rescheduled_at" timestamp with time zone;
