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
--> statement-breakpoint
CREATE TABLE "qa_peer_rounds" (
  "id" uuid PRIMARY KEY NOT NULL,
  "name" text NOT NULL,
  "team_id" uuid NOT NULL REFERENCES "teams"("id"),
  "items" jsonb NOT NULL,
  "per_agent" integer NOT NULL,
  "period_from" timestamp with time zone NOT NULL,
  "period_to" timestamp with time zone NOT NULL,
  "state" text DEFAULT 'open' NOT NULL,
  "created_by" uuid NOT NULL REFERENCES "staff"("id"),
  "closed_at" timestamp with time zone,
  "created_at" timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT "qa_peer_rounds_state_check" CHECK ("state" IN ('open', 'closed'))
);
--> statement-breakpoint
CREATE TABLE "qa_peer_reviews" (
  "id" uuid PRIMARY KEY NOT NULL,
  "round_id" uuid NOT NULL REFERENCES "qa_peer_rounds"("id") ON DELETE CASCADE,
  "reviewer_id" uuid NOT NULL REFERENCES "staff"("id"),
  "ticket_id" uuid NOT NULL,
  "agent_id" uuid NOT NULL REFERENCES "staff"("id"),
  "scores" jsonb,
  "comment" text,
  "submitted_at" timestamp with time zone,
  "created_at" timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT "qa_peer_reviews_not_own" CHECK ("reviewer_id" <> "agent_id")
);
--> statement-breakpoint
CREATE UNIQUE INDEX "qa_peer_reviews_key" ON "qa_peer_reviews" ("round_id", "reviewer_id", "ticket_id");
--> statement-breakpoint
CREATE INDEX "qa_peer_reviews_agent_idx" ON "qa_peer_reviews" ("agent_id", "submitted_at");
