-- Preventive maintenance (issue #16 item 7): a plan may target an asset model (every asset of that model gets its
-- visits), so a run is one (plan, due date, subject) — the subject is the asset or site visited; a recurring-fault
-- proposal is accepted either as a plan or as a one-off inspection visit (巡检), and records which.
ALTER TABLE "field_maintenance_plans" ADD COLUMN "asset_model" text;
--> statement-breakpoint
ALTER TABLE "field_maintenance_plans" DROP CONSTRAINT "field_maintenance_plans_subject_check";
--> statement-breakpoint
ALTER TABLE "field_maintenance_plans" ADD CONSTRAINT "field_maintenance_plans_subject_check" CHECK ((("field_maintenance_plans"."asset_id" IS NOT NULL)::int + ("field_maintenance_plans"."site_id" IS NOT NULL)::int + ("field_maintenance_plans"."asset_model" IS NOT NULL)::int) = 1);
--> statement-breakpoint
CREATE INDEX "field_assets_model_idx" ON "field_assets" USING btree ("model");
--> statement-breakpoint
ALTER TABLE "field_maintenance_runs" ADD COLUMN "subject_id" uuid;
--> statement-breakpoint
UPDATE "field_maintenance_runs" r SET "subject_id" = COALESCE(p."asset_id", p."site_id") FROM "field_maintenance_plans" p WHERE p."id" = r."plan_id";
--> statement-breakpoint
ALTER TABLE "field_maintenance_runs" ALTER COLUMN "subject_id" SET NOT NULL;
--> statement-breakpoint
ALTER TABLE "field_maintenance_runs" DROP CONSTRAINT "field_maintenance_runs_plan_id_due_date_pk";
--> statement-breakpoint
ALTER TABLE "field_maintenance_runs" ADD CONSTRAINT "field_maintenance_runs_plan_id_due_date_subject_id_pk" PRIMARY KEY("plan_id","due_date","subject_id");
--> statement-breakpoint
ALTER TABLE "field_maintenance_proposals" ADD COLUMN "outcome" text;
--> statement-breakpoint
ALTER TABLE "field_maintenance_proposals" ADD COLUMN "ticket_id" uuid;
--> statement-breakpoint
ALTER TABLE "field_maintenance_proposals" ADD COLUMN "visit_id" uuid;
--> statement-breakpoint
UPDATE "field_maintenance_proposals" SET "outcome" = 'plan' WHERE "state" = 'accepted';
--> statement-breakpoint
ALTER TABLE "field_maintenance_proposals" ADD CONSTRAINT "field_maintenance_proposals_outcome_check" CHECK ("field_maintenance_proposals"."outcome" IS NULL OR "field_maintenance_proposals"."outcome" IN ('plan', 'inspection'));
