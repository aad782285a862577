CREATE TABLE "survey_templates" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"questions" jsonb NOT NULL,
	"rules" jsonb NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "survey_invitations" (
	"id" uuid PRIMARY KEY NOT NULL,
	"template_id" uuid NOT NULL,
	"template_version" integer NOT NULL,
	"ticket_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"owner_id" uuid,
	"team_id" uuid,
	"trigger" text NOT NULL,
	"channel" text NOT NULL,
	"state" text NOT NULL,
	"send_at" timestamp with time zone NOT NULL,
	"sent_at" timestamp with time zone,
	"expires_at" timestamp with time zone NOT NULL,
	"answered_at" timestamp with time zone,
	"recovery_case_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "survey_invitations_ticket_idx" ON "survey_invitations" USING btree ("ticket_id","id");
--> statement-breakpoint
CREATE INDEX "survey_invitations_customer_idx" ON "survey_invitations" USING btree ("customer_id","created_at");
--> statement-breakpoint
CREATE INDEX "survey_invitations_due_idx" ON "survey_invitations" USING btree ("send_at") WHERE state = 'scheduled';
--> statement-breakpoint
CREATE TABLE "survey_responses" (
	"id" uuid PRIMARY KEY NOT NULL,
	"invitation_id" uuid NOT NULL,
	"template_id" uuid NOT NULL,
	"ticket_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"owner_id" uuid,
	"team_id" uuid,
	"csat" smallint,
	"nps" smallint,
	"ces" smallint,
	"answers" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"reasons" text[] DEFAULT '{}'::text[] NOT NULL,
	"comment" text,
	"low_score" boolean DEFAULT false NOT NULL,
	"answered_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "survey_responses_invitation_key" ON "survey_responses" USING btree ("invitation_id");
--> statement-breakpoint
CREATE INDEX "survey_responses_ticket_idx" ON "survey_responses" USING btree ("ticket_id");
--> statement-breakpoint
CREATE INDEX "survey_responses_customer_idx" ON "survey_responses" USING btree ("customer_id","answered_at");
--> statement-breakpoint
CREATE INDEX "survey_responses_answered_idx" ON "survey_responses" USING btree ("answered_at");
--> statement-breakpoint
CREATE TABLE "soft_standard_answers" (
	"response_id" uuid NOT NULL,
	"question_id" text NOT NULL,
	"standard_id" uuid NOT NULL,
	"agree" boolean NOT NULL,
	"owner_id" uuid,
	"team_id" uuid,
	"answered_at" timestamp with time zone NOT NULL,
	CONSTRAINT "soft_standard_answers_response_id_question_id_pk" PRIMARY KEY("response_id","question_id")
);
--> statement-breakpoint
CREATE INDEX "soft_standard_answers_std_idx" ON "soft_standard_answers" USING btree ("standard_id","answered_at");
--> statement-breakpoint
CREATE TABLE "survey_rate_limits" (
	"key" text NOT NULL,
	"window_start" bigint NOT NULL,
	"count" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "survey_rate_limits_key_window_start_pk" PRIMARY KEY("key","window_start")
);
--> statement-breakpoint
CREATE TABLE "recovery_cases" (
	"id" uuid PRIMARY KEY NOT NULL,
	"ticket_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"response_id" uuid,
	"state" text NOT NULL,
	"outcome" text,
	"supervisor_id" uuid,
	"team_id" uuid,
	"score" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"reasons" text[] DEFAULT '{}'::text[] NOT NULL,
	"steps" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"follow_up_invitation_id" uuid,
	"opened_at" timestamp with time zone DEFAULT now() NOT NULL,
	"contacted_at" timestamp with time zone,
	"solution_at" timestamp with time zone,
	"revisited_at" timestamp with time zone,
	"closed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "recovery_cases_ticket_idx" ON "recovery_cases" USING btree ("ticket_id");
--> statement-breakpoint
CREATE INDEX "recovery_cases_state_idx" ON "recovery_cases" USING btree ("state","opened_at");
--> statement-breakpoint
CREATE TABLE "complaint_cases" (
	"id" uuid PRIMARY KEY NOT NULL,
	"ticket_id" uuid NOT NULL,
	"category" text,
	"responsibility" text,
	"severity" text DEFAULT 'normal' NOT NULL,
	"root_cause" text,
	"escalated_at" timestamp with time zone,
	"improvement_action_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "complaint_cases_ticket_key" ON "complaint_cases" USING btree ("ticket_id");
--> statement-breakpoint
CREATE TABLE "complaint_steps" (
	"case_id" uuid NOT NULL,
	"step" text NOT NULL,
	"evidence" text NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"recorded_by" uuid,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "complaint_steps_case_id_step_pk" PRIMARY KEY("case_id","step")
);
--> statement-breakpoint
CREATE TABLE "care_tasks" (
	"id" uuid PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"ticket_id" uuid,
	"customer_id" uuid NOT NULL,
	"run_id" uuid,
	"owner_id" uuid,
	"team_id" uuid,
	"seq" integer NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"result" text,
	"outcome" text,
	"done_at" timestamp with time zone,
	"done_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "care_tasks_owner_idx" ON "care_tasks" USING btree ("owner_id","due_at");
--> statement-breakpoint
CREATE INDEX "care_tasks_due_idx" ON "care_tasks" USING btree ("due_at") WHERE state = 'pending';
--> statement-breakpoint
CREATE INDEX "care_tasks_ticket_idx" ON "care_tasks" USING btree ("ticket_id");
--> statement-breakpoint
CREATE INDEX "care_tasks_run_idx" ON "care_tasks" USING btree ("run_id");
--> statement-breakpoint
CREATE TABLE "care_plans" (
	"ticket_id" uuid PRIMARY KEY NOT NULL,
	"customer_id" uuid NOT NULL,
	"guarantee_until" timestamp with time zone NOT NULL,
	"state" text DEFAULT 'active' NOT NULL,
	"reopened_by_ticket_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "care_plans_customer_idx" ON "care_plans" USING btree ("customer_id","guarantee_until");
--> statement-breakpoint
CREATE TABLE "reactivation_runs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"customer_id" uuid NOT NULL,
	"state" text DEFAULT 'active' NOT NULL,
	"last_contact_at" timestamp with time zone,
	"stopped_reason" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ended_at" timestamp with time zone
);
--> statement-breakpoint
CREATE UNIQUE INDEX "reactivation_runs_active_key" ON "reactivation_runs" USING btree ("customer_id") WHERE state = 'active';
--> statement-breakpoint
CREATE INDEX "reactivation_runs_customer_idx" ON "reactivation_runs" USING btree ("customer_id","started_at");
