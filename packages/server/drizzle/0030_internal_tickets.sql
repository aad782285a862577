-- Internal tickets (内部工单): work of the organisation itself (environment corrective tasks, tasks staff open for
-- themselves) no longer poses as a customer. Customers get an `internal` flag; the environment module's customer
-- (found through its settings key) is that internal customer, its tickets become type `internal`, and the corrective
-- standard names the type (a scope without a type list now applies to customer types only).
ALTER TABLE "customers" ADD COLUMN "internal" boolean DEFAULT false NOT NULL;
--> statement-breakpoint
UPDATE "customers" SET "internal" = true
  WHERE "id"::text = (SELECT "value"->>'customerId' FROM "settings" WHERE "key" = 'environment.customer');
--> statement-breakpoint
UPDATE "tickets" SET "type" = 'internal'
  WHERE "customer_id" IN (SELECT "id" FROM "customers" WHERE "internal");
--> statement-breakpoint
-- Their measures facts are recomputed by the measures worker (an internal ticket has none).
INSERT INTO "measure_queue" ("ticket_id")
  SELECT "id" FROM "tickets" WHERE "type" = 'internal';
--> statement-breakpoint
UPDATE "standard_versions" SET "definition" = jsonb_set(
    "definition",
    '{appliesTo}',
    coalesce("definition"->'appliesTo', '{}'::jsonb) || '{"types": ["internal"]}'::jsonb
  )
  WHERE "standard_id" IN (SELECT "id" FROM "standards" WHERE "template_key" = 'env-corrective-1bd' OR "code" = 'ENV-CORRECTIVE')
    AND coalesce(jsonb_array_length("definition"->'appliesTo'->'types'), 0) = 0;
