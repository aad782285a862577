-- Holiday feeds and imports (issue #18 item 8): next year's State Council schedule without a code change.
-- holiday_feeds: a feed URL (.ics or holiday-cn JSON, `{year}` placeholder allowed) per calendar, or organisation-wide
-- (calendar_id NULL); the daily check records its last status. holiday_imports: a previewed import (file, URL or the
-- daily check) waiting for an admin's confirmation; confirming applies exactly the stored plan.
CREATE TABLE "holiday_feeds" (
	"id" uuid PRIMARY KEY NOT NULL,
	"calendar_id" uuid REFERENCES "calendars"("id") ON DELETE CASCADE,
	"url" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_checked_at" timestamp with time zone,
	"last_status" text,
	"last_message" text,
	"last_years" jsonb DEFAULT '[]'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "holiday_feeds_calendar_key" ON "holiday_feeds" (COALESCE("calendar_id", '00000000-0000-0000-0000-000000000000'::uuid));
--> statement-breakpoint
CREATE TABLE "holiday_imports" (
	"id" uuid PRIMARY KEY NOT NULL,
	"calendar_id" uuid NOT NULL REFERENCES "calendars"("id") ON DELETE CASCADE,
	"calendar_version" integer NOT NULL,
	"source" text NOT NULL,
	"source_label" text,
	"format" text NOT NULL,
	"replace" boolean DEFAULT false NOT NULL,
	"years" jsonb NOT NULL,
	"plan" jsonb NOT NULL,
	"overrides" jsonb NOT NULL,
	"problems" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"decided_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "holiday_imports_calendar_status_idx" ON "holiday_imports" ("calendar_id", "status");
