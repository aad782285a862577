CREATE TABLE "qa_coaching_tasks" (
  "id" uuid PRIMARY KEY NOT NULL,
  "inspection_id" uuid NOT NULL REFERENCES "qa_inspections"("id") ON DELETE CASCADE,
  "ticket_id" uuid NOT NULL,
  "agent_id" uuid NOT NULL REFERENCES "staff"("id"),
  "items" jsonb NOT NULL,
  "state" text DEFAULT 'open' NOT NULL,
  "note" text,
  "done_by" uuid REFERENCES "staff"("id"),
  "done_at" timestamp with time zone,
  "created_at" timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT "qa_coaching_state_check" CHECK ("state" IN ('open', 'done'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX "qa_coaching_inspection_key" ON "qa_coaching_tasks" ("inspection_id");
--> statement-breakpoint
CREATE INDEX "qa_coaching_agent_idx" ON "qa_coaching_tasks" ("agent_id", "state");
