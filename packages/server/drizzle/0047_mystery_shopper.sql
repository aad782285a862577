CREATE TABLE "qa_mystery_scripts" (
  "id" uuid PRIMARY KEY NOT NULL,
  "title" text NOT NULL,
  "site_id" uuid REFERENCES "field_sites"("id"),
  "channel" text NOT NULL,
  "story" text NOT NULL,
  "steps" jsonb NOT NULL,
  "scorecard_id" uuid NOT NULL REFERENCES "qa_scorecards"("id"),
  "evidence" text[] DEFAULT '{}'::text[] NOT NULL,
  "version" integer DEFAULT 1 NOT NULL,
  "active" boolean DEFAULT true NOT NULL,
  "created_by" uuid REFERENCES "staff"("id"),
  "created_at" timestamp with time zone DEFAULT now() NOT NULL,
  "updated_at" timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT "qa_mystery_scripts_channel_check" CHECK ("channel" IN ('phone', 'walk_in', 'chat', 'field'))
);
--> statement-breakpoint
CREATE TABLE "qa_mystery_script_versions" (
  "script_id" uuid NOT NULL REFERENCES "qa_mystery_scripts"("id") ON DELETE CASCADE,
  "version" integer NOT NULL,
  "title" text NOT NULL,
  "site_id" uuid,
  "channel" text NOT NULL,
  "story" text NOT NULL,
  "steps" jsonb NOT NULL,
  "scorecard_id" uuid NOT NULL,
  "evidence" text[] DEFAULT '{}'::text[] NOT NULL,
  "created_at" timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT "qa_mystery_script_versions_pk" PRIMARY KEY ("script_id", "version")
);
--> statement-breakpoint
CREATE TABLE "qa_mystery_plans" (
  "id" uuid PRIMARY KEY NOT NULL,
  "month" text NOT NULL,
  "site_id" uuid NOT NULL REFERENCES "field_sites"("id"),
  "visits" integer NOT NULL,
  "channels" text[] NOT NULL,
  "kinds" text[] NOT NULL,
  "created_by" uuid REFERENCES "staff"("id"),
  "created_at" timestamp with time zone DEFAULT now() NOT NULL,
  "updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "qa_mystery_plans_month_site_key" ON "qa_mystery_plans" ("month", "site_id");
--> statement-breakpoint
CREATE TABLE "qa_mystery_visits" (
  "id" uuid PRIMARY KEY NOT NULL,
  "plan_id" uuid REFERENCES "qa_mystery_plans"("id") ON DELETE SET NULL,
  "script_id" uuid NOT NULL REFERENCES "qa_mystery_scripts"("id"),
  "script_version" integer NOT NULL,
  "scorecard_id" uuid NOT NULL REFERENCES "qa_scorecards"("id"),
  "scorecard_version" integer NOT NULL,
  "kind" text NOT NULL,
  "site_id" uuid NOT NULL REFERENCES "field_sites"("id"),
  "channel" text NOT NULL,
  "shopper_id" uuid NOT NULL REFERENCES "staff"("id"),
  "month" text NOT NULL,
  "planned_on" date NOT NULL,
  "state" text DEFAULT 'planned' NOT NULL,
  "visited_at" timestamp with time zone,
  "steps" jsonb DEFAULT '[]'::jsonb NOT NULL,
  "scores" jsonb DEFAULT '[]'::jsonb NOT NULL,
  "evidence" jsonb DEFAULT '[]'::jsonb NOT NULL,
  "served_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
  "note" text,
  "score" double precision,
  "passed" boolean,
  "submitted_at" timestamp with time zone,
  "created_by" uuid REFERENCES "staff"("id"),
  "created_at" timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT "qa_mystery_visits_kind_check" CHECK ("kind" IN ('mystery', 'open', 'remote')),
  CONSTRAINT "qa_mystery_visits_state_check" CHECK ("state" IN ('planned', 'submitted'))
);
--> statement-breakpoint
CREATE INDEX "qa_mystery_visits_month_idx" ON "qa_mystery_visits" ("month", "site_id");
--> statement-breakpoint
CREATE INDEX "qa_mystery_visits_shopper_idx" ON "qa_mystery_visits" ("shopper_id", "state");
--> statement-breakpoint
CREATE INDEX "qa_mystery_visits_served_idx" ON "qa_mystery_visits" USING gin ("served_ids");
