CREATE TABLE IF NOT EXISTS "qa_scorecards" (
	"id" uuid PRIMARY KEY NOT NULL,
	"template_key" text,
	"name" text NOT NULL,
	"channel" text,
	"pass_mark" integer NOT NULL,
	"items" jsonb NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "qa_scorecard_versions" (
	"scorecard_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"name" text NOT NULL,
	"pass_mark" integer NOT NULL,
	"items" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "qa_scorecard_versions_scorecard_id_version_pk" PRIMARY KEY("scorecard_id","version")
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "qa_inspections" (
	"id" uuid PRIMARY KEY NOT NULL,
	"ticket_id" uuid NOT NULL,
	"agent_id" uuid NOT NULL,
	"inspector_id" uuid NOT NULL,
	"scorecard_id" uuid NOT NULL,
	"scorecard_version" integer NOT NULL,
	"state" text NOT NULL,
	"scores" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"feedback" jsonb,
	"first_score" double precision,
	"score" double precision,
	"passed" boolean,
	"sample_id" uuid,
	"submitted_at" timestamp with time zone,
	"acknowledged_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "qa_appeals" (
	"id" uuid PRIMARY KEY NOT NULL,
	"inspection_id" uuid NOT NULL,
	"ticket_id" uuid NOT NULL,
	"agent_id" uuid NOT NULL,
	"reason" text NOT NULL,
	"state" text NOT NULL,
	"score_before" double precision NOT NULL,
	"score_after" double precision,
	"ruling_reason" text,
	"ruled_by" uuid,
	"ruled_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "qa_proposals" (
	"id" uuid PRIMARY KEY NOT NULL,
	"author_id" uuid NOT NULL,
	"team_id" uuid,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"state" text NOT NULL,
	"reviewed_by" uuid,
	"reviewed_at" timestamp with time zone,
	"review_note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "qa_sampling_plans" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"team_id" uuid,
	"channel" text,
	"period" text NOT NULL,
	"share_percent" double precision NOT NULL,
	"min_per_week" integer DEFAULT 0 NOT NULL,
	"mandatory" jsonb NOT NULL,
	"scorecard_id" uuid,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "qa_samples" (
	"id" uuid PRIMARY KEY NOT NULL,
	"plan_id" uuid NOT NULL,
	"period_start" text NOT NULL,
	"ticket_id" uuid NOT NULL,
	"agent_id" uuid NOT NULL,
	"inspector_id" uuid,
	"reason" text NOT NULL,
	"state" text NOT NULL,
	"inspection_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "qa_inspections_agent_idx" ON "qa_inspections" USING btree ("agent_id","submitted_at");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "qa_inspections_ticket_idx" ON "qa_inspections" USING btree ("ticket_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "qa_inspections_inspector_idx" ON "qa_inspections" USING btree ("inspector_id","state");--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "qa_appeals_inspection_key" ON "qa_appeals" USING btree ("inspection_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "qa_appeals_state_idx" ON "qa_appeals" USING btree ("state","created_at");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "qa_proposals_author_idx" ON "qa_proposals" USING btree ("author_id","created_at");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "qa_proposals_state_idx" ON "qa_proposals" USING btree ("state","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "qa_samples_plan_ticket_key" ON "qa_samples" USING btree ("plan_id","ticket_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "qa_samples_inspector_idx" ON "qa_samples" USING btree ("inspector_id","state");
