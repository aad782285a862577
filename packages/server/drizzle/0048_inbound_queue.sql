-- Accept then ingest: a verified inbound callback (WeChat Official Account) is recorded here, once per
-- (channel, provider message id), and answered at once; the channels-inbound worker turns it into a customer, a ticket
-- or a reply, in order per sender (only a sender's oldest queued message is claimable), retrying with back-off.
CREATE TABLE "channel_inbound" (
  "id" uuid PRIMARY KEY NOT NULL,
  "channel_id" uuid NOT NULL,
  "external_id" text NOT NULL,
  "sender" text NOT NULL,
  "payload" jsonb NOT NULL,
  "status" text DEFAULT 'queued' NOT NULL,
  "attempts" integer DEFAULT 0 NOT NULL,
  "next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
  "locked_until" timestamp with time zone,
  "last_error" text,
  "created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "channel_inbound_external_key" ON "channel_inbound" ("channel_id","external_id");
--> statement-breakpoint
CREATE INDEX "channel_inbound_sender_idx" ON "channel_inbound" ("channel_id","sender","id") WHERE "status" = 'queued';
--> statement-breakpoint
CREATE INDEX "channel_inbound_due_idx" ON "channel_inbound" ("next_attempt_at") WHERE "status" = 'queued';
