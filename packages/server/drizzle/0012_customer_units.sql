-- Customers of a residential estate live in a building (楼栋), unit (单元) and room (房号); nullable, existing rows keep NULL.
ALTER TABLE "customers" ADD COLUMN "building" text;
--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "unit" text;
--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "room" text;
--> statement-breakpoint
CREATE INDEX "customers_building_idx" ON "customers" USING btree ("building","unit","room");
