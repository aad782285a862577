CREATE TABLE "measure_queue" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"ticket_id" uuid NOT NULL,
	"event_id" bigint,
	"queued_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "measure_ticket_facts" (
	"ticket_id" uuid PRIMARY KEY NOT NULL,
	"number" text NOT NULL,
	"type" text NOT NULL,
	"channel" text NOT NULL,
	"team_id" uuid,
	"owner_id" uuid,
	"tier" text NOT NULL,
	"category_id" uuid,
	"site" text,
	"status" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"resolved_at" timestamp with time zone,
	"reopen_count" integer NOT NULL,
	"handover_count" integer NOT NULL,
	"team_transfer_count" integer NOT NULL,
	"staff_public_reply_count" integer NOT NULL,
	"first_response_seconds" bigint,
	"resolution_seconds" bigint,
	"calendar_id" uuid,
	"fcr" boolean NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "measure_ticket_facts_created_idx" ON "measure_ticket_facts" USING btree ("created_at");
--> statement-breakpoint
CREATE INDEX "measure_ticket_facts_resolved_idx" ON "measure_ticket_facts" USING btree ("resolved_at") WHERE "measure_ticket_facts"."resolved_at" IS NOT NULL;
--> statement-breakpoint
CREATE INDEX "measure_ticket_facts_team_idx" ON "measure_ticket_facts" USING btree ("team_id","created_at");
--> statement-breakpoint
CREATE INDEX "measure_ticket_facts_owner_idx" ON "measure_ticket_facts" USING btree ("owner_id","created_at");
--> statement-breakpoint
CREATE INDEX "measure_ticket_facts_site_idx" ON "measure_ticket_facts" USING btree ("site","created_at");
--> statement-breakpoint
CREATE TABLE "measure_answer_facts" (
	"event_id" bigint PRIMARY KEY NOT NULL,
	"ticket_id" uuid NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"csat" smallint,
	"nps" smallint,
	"ces" smallint,
	"low_score" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE INDEX "measure_answer_facts_ticket_idx" ON "measure_answer_facts" USING btree ("ticket_id");
--> statement-breakpoint
CREATE INDEX "measure_answer_facts_at_idx" ON "measure_answer_facts" USING btree ("at");
--> statement-breakpoint
CREATE TABLE "measure_outcome_facts" (
	"instance_id" uuid PRIMARY KEY NOT NULL,
	"ticket_id" uuid NOT NULL,
	"standard_id" uuid NOT NULL,
	"ended_at" timestamp with time zone NOT NULL,
	"met" boolean NOT NULL
);
--> statement-breakpoint
CREATE INDEX "measure_outcome_facts_ticket_idx" ON "measure_outcome_facts" USING btree ("ticket_id");
--> statement-breakpoint
CREATE INDEX "measure_outcome_facts_ended_idx" ON "measure_outcome_facts" USING btree ("ended_at");
--> statement-breakpoint
CREATE TABLE "measure_recovery_facts" (
	"ticket_id" uuid NOT NULL,
	"case_id" text NOT NULL,
	"closed_at" timestamp with time zone NOT NULL,
	"recovered" boolean NOT NULL,
	CONSTRAINT "measure_recovery_facts_ticket_id_case_id_pk" PRIMARY KEY("ticket_id","case_id")
);
--> statement-breakpoint
CREATE INDEX "measure_recovery_facts_closed_idx" ON "measure_recovery_facts" USING btree ("closed_at");
--> statement-breakpoint
CREATE TABLE "measure_rollup" (
	"cube" smallint NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"dim_key" text NOT NULL,
	"team_id" uuid,
	"owner_id" uuid,
	"channel" text,
	"type" text,
	"tier" text,
	"created" bigint DEFAULT 0 NOT NULL,
	"complaints" bigint DEFAULT 0 NOT NULL,
	"complaints_ok" bigint DEFAULT 0 NOT NULL,
	"resolved" bigint DEFAULT 0 NOT NULL,
	"fcr" bigint DEFAULT 0 NOT NULL,
	"fr_count" bigint DEFAULT 0 NOT NULL,
	"rs_count" bigint DEFAULT 0 NOT NULL,
	"csat_count" bigint DEFAULT 0 NOT NULL,
	"csat_positive" bigint DEFAULT 0 NOT NULL,
	"nps_count" bigint DEFAULT 0 NOT NULL,
	"nps_promoters" bigint DEFAULT 0 NOT NULL,
	"nps_detractors" bigint DEFAULT 0 NOT NULL,
	"ces_count" bigint DEFAULT 0 NOT NULL,
	"ces_sum" bigint DEFAULT 0 NOT NULL,
	"std_met" bigint DEFAULT 0 NOT NULL,
	"std_breached" bigint DEFAULT 0 NOT NULL,
	"rec_closed" bigint DEFAULT 0 NOT NULL,
	"rec_recovered" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "measure_rollup_cube_bucket_dim_key_pk" PRIMARY KEY("cube","bucket","dim_key")
);
--> statement-breakpoint
CREATE TABLE "measure_state" (
	"key" text PRIMARY KEY NOT NULL,
	"value" bigint NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
INSERT INTO "measure_state" ("key", "value") VALUES ('version', 0) ON CONFLICT DO NOTHING;
--> statement-breakpoint
CREATE TABLE "measure_targets" (
	"measure" text PRIMARY KEY NOT NULL,
	"target" double precision,
	"direction" text NOT NULL,
	"window_days" integer DEFAULT 7 NOT NULL,
	"min_count" integer DEFAULT 20 NOT NULL,
	"below" boolean DEFAULT false NOT NULL,
	"last_value" double precision,
	"alerted_at" timestamp with time zone,
	"updated_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "measure_display_tokens" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"token_hash" text NOT NULL,
	"team_id" uuid,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	"last_used_at" timestamp with time zone,
	"created_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "measure_display_tokens_hash_key" ON "measure_display_tokens" USING btree ("token_hash");
--> statement-breakpoint
CREATE TABLE "measure_reports" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"frequency" text NOT NULL,
	"hour" integer DEFAULT 8 NOT NULL,
	"weekday" integer,
	"time_zone" text DEFAULT 'Asia/Shanghai' NOT NULL,
	"channel" text NOT NULL,
	"target" text NOT NULL,
	"filters" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"locale" text DEFAULT 'zh-CN' NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"next_run_at" timestamp with time zone NOT NULL,
	"last_run_at" timestamp with time zone,
	"last_status" text,
	"last_error" text,
	"created_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "measure_reports_due_idx" ON "measure_reports" USING btree ("next_run_at") WHERE "measure_reports"."active";
--> statement-breakpoint
INSERT INTO "measure_queue" ("ticket_id") SELECT "id" FROM "tickets";
