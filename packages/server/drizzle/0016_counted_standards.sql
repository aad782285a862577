ALTER TABLE "standard_instances" ADD COLUMN IF NOT EXISTS "observed" integer;--> statement-breakpoint
ALTER TABLE "standard_instances" ADD COLUMN IF NOT EXISTS "count_limit" integer;
