CREATE TABLE "qa_calibrations" (
  "id" uuid PRIMARY KEY NOT NULL,
  "name" text NOT NULL,
  "scorecard_id" uuid NOT NULL REFERENCES "qa_scorecards"("id"),
  "scorecard_version" integer NOT NULL,
  "ticket_ids" uuid[] NOT NULL,
  "inspector_ids" uuid[] NOT NULL,
  "due_at" timestamp with time zone NOT NULL,
  "state" text DEFAULT 'open' NOT NULL,
  "agreement_mad" double precision,
  "agreement_icc" double precision,
  "created_by" uuid NOT NULL REFERENCES "staff"("id"),
  "closed_by" uuid REFERENCES "staff"("id"),
  "closed_at" timestamp with time zone,
  "created_at" timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT "qa_calibrations_state_check" CHECK ("state" IN ('open', 'closed'))
);
--> statement-breakpoint
CREATE INDEX "qa_calibrations_state_idx" ON "qa_calibrations" ("state", "created_at");
--> statement-breakpoint
CREATE TABLE "qa_calibration_scores" (
  "calibration_id" uuid NOT NULL REFERENCES "qa_calibrations"("id") ON DELETE CASCADE,
  "ticket_id" uuid NOT NULL,
  "inspector_id" uuid NOT NULL REFERENCES "staff"("id"),
  "scores" jsonb NOT NULL,
  "submitted_at" timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT "qa_calibration_scores_pk" PRIMARY KEY ("calibration_id", "ticket_id", "inspector_id")
);
--> statement-breakpoint
CREATE TABLE "qa_calibration_references" (
  "calibration_id" uuid NOT NULL REFERENCES "qa_calibrations"("id") ON DELETE CASCADE,
  "ticket_id" uuid NOT NULL,
  "scores" jsonb NOT NULL,
  "set_by" uuid NOT NULL REFERENCES "staff"("id"),
  "set_at" timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT "qa_calibration_references_pk" PRIMARY KEY ("calibration_id", "ticket_id")
);
