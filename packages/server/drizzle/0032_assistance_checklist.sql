-- Issue #13 item 7: customers needing one-to-one help (需一对一帮办: elderly, disabled, other, with a note) and their
-- designated staff member (专人), who owns their new tickets while active; and the checklist steps of repair and order
-- tickets (报价已告知客户, 已说明作业、保修范围和收费), each recorded once with who, when and whether in time.
ALTER TABLE "customers" ADD COLUMN "assistance" text DEFAULT 'none' NOT NULL;
--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "assistance_note" text;
--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "assist_staff_id" uuid REFERENCES "staff"("id");
--> statement-breakpoint
CREATE TABLE "ticket_checklist" (
  "ticket_id" uuid NOT NULL REFERENCES "tickets"("id") ON DELETE CASCADE,
  "step" text NOT NULL,
  "recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
  "recorded_by" uuid,
  "in_time" boolean NOT NULL,
  PRIMARY KEY ("ticket_id", "step")
);
