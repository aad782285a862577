-- Field service (上门服务): sites (a tree), assets at sites, visits of repair tickets; tickets get their site.
CREATE TABLE "field_sites" (
	"id" uuid PRIMARY KEY NOT NULL,
	"parent_id" uuid,
	"kind" text DEFAULT 'site' NOT NULL,
	"name" text NOT NULL,
	"address" text,
	"code_nonce" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "field_assets" (
	"id" uuid PRIMARY KEY NOT NULL,
	"site_id" uuid NOT NULL,
	"name" text NOT NULL,
	"model" text,
	"serial" text,
	"install_date" date,
	"warranty_end" date,
	"code_nonce" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "field_visits" (
	"id" uuid PRIMARY KEY NOT NULL,
	"ticket_id" uuid NOT NULL,
	"site_id" uuid,
	"technician_id" uuid,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"state" text DEFAULT 'scheduled' NOT NULL,
	"decline_reason" text,
	"departed_at" timestamp with time zone,
	"arrived_at" timestamp with time zone,
	"arrival_method" text,
	"arrival_asset_id" uuid,
	"arrival_offset_seconds" integer,
	"started_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"checklist" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"notes" text,
	"labour_minutes" integer,
	"repeat_of_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "site_id" uuid;
--> statement-breakpoint
ALTER TABLE "field_assets" ADD CONSTRAINT "field_assets_site_id_field_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."field_sites"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "field_visits" ADD CONSTRAINT "field_visits_site_id_field_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."field_sites"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
CREATE INDEX "field_sites_parent_idx" ON "field_sites" USING btree ("parent_id");
--> statement-breakpoint
CREATE UNIQUE INDEX "field_sites_code_nonce_key" ON "field_sites" USING btree ("code_nonce");
--> statement-breakpoint
CREATE INDEX "field_assets_site_idx" ON "field_assets" USING btree ("site_id");
--> statement-breakpoint
CREATE UNIQUE INDEX "field_assets_code_nonce_key" ON "field_assets" USING btree ("code_nonce");
--> statement-breakpoint
CREATE INDEX "field_visits_technician_idx" ON "field_visits" USING btree ("technician_id","starts_at");
--> statement-breakpoint
CREATE INDEX "field_visits_ticket_idx" ON "field_visits" USING btree ("ticket_id");
--> statement-breakpoint
CREATE INDEX "field_visits_site_idx" ON "field_visits" USING btree ("site_id","completed_at");
