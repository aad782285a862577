CREATE TABLE IF NOT EXISTS "env_templates" (
	"id" uuid PRIMARY KEY NOT NULL,
	"key" text,
	"name" text NOT NULL,
	"items" jsonb NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "env_templates_key_key" ON "env_templates" USING btree ("key");
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "env_checks" (
	"id" uuid PRIMARY KEY NOT NULL,
	"site_id" uuid NOT NULL,
	"template_id" uuid NOT NULL,
	"template_version" integer NOT NULL,
	"inspector_id" uuid NOT NULL,
	"results" jsonb NOT NULL,
	"failed_count" integer NOT NULL,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "env_checks_site_idx" ON "env_checks" USING btree ("site_id","created_at");
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "env_checks_created_idx" ON "env_checks" USING btree ("created_at");
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "env_tasks" (
	"id" uuid PRIMARY KEY NOT NULL,
	"check_id" uuid NOT NULL,
	"site_id" uuid NOT NULL,
	"item_key" text NOT NULL,
	"label" text NOT NULL,
	"value" text NOT NULL,
	"expected" text NOT NULL,
	"ticket_id" uuid NOT NULL,
	"state" text DEFAULT 'open' NOT NULL,
	"closed_by" uuid,
	"closed_at" timestamp with time zone,
	"close_note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "env_tasks_state_idx" ON "env_tasks" USING btree ("state","created_at");
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "env_tasks_site_idx" ON "env_tasks" USING btree ("site_id","state");
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "env_tasks_check_idx" ON "env_tasks" USING btree ("check_id");
