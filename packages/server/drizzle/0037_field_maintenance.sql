-- Preventive maintenance (issue #16 item 7): recurring-fault proposals (at most one open per asset or site), plans
-- (every N days / months from a start date, generated lead days ahead), runs (one per plan and due date).
CREATE TABLE "field_maintenance_proposals" (
	"id" uuid PRIMARY KEY NOT NULL,
	"subject_kind" text NOT NULL,
	"subject_id" uuid NOT NULL,
	"ticket_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"state" text DEFAULT 'open' NOT NULL,
	"reason" text,
	"plan_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	CONSTRAINT "field_maintenance_proposals_kind_check" CHECK ("field_maintenance_proposals"."subject_kind" IN ('asset', 'site')),
	CONSTRAINT "field_maintenance_proposals_state_check" CHECK ("field_maintenance_proposals"."state" IN ('open', 'accepted', 'dismissed'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX "field_maintenance_proposals_open_key" ON "field_maintenance_proposals" USING btree ("subject_kind","subject_id") WHERE "field_maintenance_proposals"."state" = 'open';
--> statement-breakpoint
CREATE INDEX "field_maintenance_proposals_state_idx" ON "field_maintenance_proposals" USING btree ("state","created_at");
--> statement-breakpoint
CREATE TABLE "field_maintenance_plans" (
	"id" uuid PRIMARY KEY NOT NULL,
	"asset_id" uuid REFERENCES "field_assets"("id"),
	"site_id" uuid REFERENCES "field_sites"("id"),
	"every_n" integer NOT NULL,
	"unit" text NOT NULL,
	"start_date" date NOT NULL,
	"lead_days" integer DEFAULT 7 NOT NULL,
	"calendar_id" uuid,
	"active" boolean DEFAULT true NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "field_maintenance_plans_subject_check" CHECK (("field_maintenance_plans"."asset_id" IS NULL) <> ("field_maintenance_plans"."site_id" IS NULL)),
	CONSTRAINT "field_maintenance_plans_every_check" CHECK ("field_maintenance_plans"."every_n" > 0 AND "field_maintenance_plans"."unit" IN ('day', 'month') AND "field_maintenance_plans"."lead_days" >= 0)
);
--> statement-breakpoint
CREATE INDEX "field_maintenance_plans_active_idx" ON "field_maintenance_plans" USING btree ("active");
--> statement-breakpoint
CREATE TABLE "field_maintenance_runs" (
	"plan_id" uuid NOT NULL REFERENCES "field_maintenance_plans"("id"),
	"due_date" date NOT NULL,
	"ticket_id" uuid,
	"visit_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "field_maintenance_runs_plan_id_due_date_pk" PRIMARY KEY("plan_id","due_date")
);
