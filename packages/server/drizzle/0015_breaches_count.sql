-- Issue #13 item 1: a breached clock counts as a failure from its breach instant (in the breach's period), ended or
-- not; a success at its stop. Compliance places each clock at that instant: this index serves it.
CREATE INDEX IF NOT EXISTS "standard_instances_outcome_idx" ON "standard_instances" USING btree ("standard_id", (CASE "state" WHEN 'met' THEN coalesce("met_at", "ended_at") WHEN 'breached' THEN coalesce("breached_at", "started_at") WHEN 'cancelled' THEN coalesce("ended_at", "started_at") ELSE "started_at" END));
--> statement-breakpoint
-- Rebuild the rollups of every ticket with a breached clock: the measures worker recomputes each queued ticket's
-- facts and applies (new − old) to the cubes, so a breach that used to count at its end (or not at all while open)
-- moves to its breach instant. Incremental and idempotent (queueing a ticket twice changes nothing); only tickets with
-- a breach are queued, drained in batches by any process after start.
INSERT INTO "measure_queue" ("ticket_id") SELECT DISTINCT "ticket_id" FROM "standard_instances" WHERE "state" = 'breached';
--> statement-breakpoint
-- Issue #13 item 4: soft standards choose mean or share; every stored survey definition keeps today's behaviour (share).
UPDATE "standard_versions" SET "definition" = jsonb_set("definition", '{survey}', ("definition"->'survey') || '{"aggregate": "share", "minSample": 1}'::jsonb)
  WHERE jsonb_typeof("definition"->'survey') = 'object' AND NOT ("definition"->'survey' ? 'aggregate');
