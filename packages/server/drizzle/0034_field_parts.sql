-- Spare parts (issue #16 item 6): catalogue, stock locations (warehouses, technicians' vans), stock per location
-- (never negative), parts used on visits (unit cost kept), the movements ledger.
CREATE TABLE "field_parts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"unit" text NOT NULL,
	"unit_cost_fen" integer NOT NULL,
	"low_stock_threshold" integer DEFAULT 0 NOT NULL,
	"van_low_stock_threshold" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "field_parts_cost_check" CHECK ("field_parts"."unit_cost_fen" >= 0 AND "field_parts"."low_stock_threshold" >= 0 AND "field_parts"."van_low_stock_threshold" >= 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX "field_parts_code_key" ON "field_parts" USING btree ("code");
--> statement-breakpoint
CREATE TABLE "field_stock_locations" (
	"id" uuid PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"technician_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "field_stock_locations_kind_check" CHECK (("field_stock_locations"."kind" = 'warehouse' AND "field_stock_locations"."technician_id" IS NULL) OR ("field_stock_locations"."kind" = 'van' AND "field_stock_locations"."technician_id" IS NOT NULL))
);
--> statement-breakpoint
CREATE UNIQUE INDEX "field_stock_locations_technician_key" ON "field_stock_locations" USING btree ("technician_id");
--> statement-breakpoint
CREATE TABLE "field_stock" (
	"location_id" uuid NOT NULL REFERENCES "field_stock_locations"("id"),
	"part_id" uuid NOT NULL REFERENCES "field_parts"("id"),
	"qty" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "field_stock_location_id_part_id_pk" PRIMARY KEY("location_id","part_id"),
	CONSTRAINT "field_stock_qty_check" CHECK ("field_stock"."qty" >= 0)
);
--> statement-breakpoint
CREATE INDEX "field_stock_part_idx" ON "field_stock" USING btree ("part_id");
--> statement-breakpoint
CREATE TABLE "field_visit_parts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"visit_id" uuid NOT NULL,
	"part_id" uuid NOT NULL REFERENCES "field_parts"("id"),
	"location_id" uuid NOT NULL REFERENCES "field_stock_locations"("id"),
	"qty" integer NOT NULL,
	"unit_cost_fen" integer NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "field_visit_parts_qty_check" CHECK ("field_visit_parts"."qty" > 0)
);
--> statement-breakpoint
CREATE INDEX "field_visit_parts_visit_idx" ON "field_visit_parts" USING btree ("visit_id");
--> statement-breakpoint
CREATE TABLE "field_stock_movements" (
	"id" uuid PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"part_id" uuid NOT NULL,
	"qty" integer NOT NULL,
	"from_location_id" uuid,
	"to_location_id" uuid,
	"visit_id" uuid,
	"usage_id" uuid,
	"unit_cost_fen" integer NOT NULL,
	"note" text,
	"actor_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "field_stock_movements_qty_check" CHECK ("field_stock_movements"."qty" > 0)
);
--> statement-breakpoint
CREATE INDEX "field_stock_movements_created_idx" ON "field_stock_movements" USING btree ("created_at");
