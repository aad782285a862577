-- Channel framework (issue #14 items 1, 2 and 7, email): configured channels (secrets sealed at rest), the delivery
-- outbox drained by the channels worker (SKIP LOCKED, exponential back-off, dead letters), every message in or out
-- (unique per channel and provider message id: a redelivery never creates a second one) and a per-channel log.
CREATE TABLE "channels" (
	"id" uuid PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"address" text,
	"team_id" uuid,
	"config" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"secrets" text,
	"unknown_sender" text DEFAULT 'customer' NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"imap_uid_validity" bigint,
	"imap_last_uid" bigint DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "channels_secrets_encrypted" CHECK ("secrets" IS NULL OR "secrets" LIKE 'v1:%')
);
--> statement-breakpoint
CREATE UNIQUE INDEX "channels_address_key" ON "channels" ("address");
--> statement-breakpoint
CREATE TABLE "channel_messages" (
	"id" uuid PRIMARY KEY NOT NULL,
	"channel_id" uuid NOT NULL,
	"direction" text NOT NULL,
	"external_id" text NOT NULL,
	"ticket_id" uuid,
	"reply_id" uuid,
	"customer_id" uuid,
	"outbox_id" uuid,
	"outcome" text NOT NULL,
	"sender" text,
	"subject" text,
	"raw" bytea,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "channel_messages_external_key" ON "channel_messages" ("channel_id","external_id");
--> statement-breakpoint
CREATE INDEX "channel_messages_ticket_idx" ON "channel_messages" ("ticket_id");
--> statement-breakpoint
CREATE TABLE "channel_outbox" (
	"id" uuid PRIMARY KEY NOT NULL,
	"channel_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"recipient" text NOT NULL,
	"payload" jsonb NOT NULL,
	"ticket_id" uuid,
	"reply_id" uuid,
	"invitation_id" uuid,
	"status" text DEFAULT 'queued' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_error" text,
	"external_id" text,
	"sent_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "channel_outbox_due_idx" ON "channel_outbox" ("status","next_attempt_at");
--> statement-breakpoint
CREATE INDEX "channel_outbox_ticket_idx" ON "channel_outbox" ("ticket_id");
--> statement-breakpoint
CREATE TABLE "channel_log" (
	"id" uuid PRIMARY KEY NOT NULL,
	"channel_id" uuid NOT NULL,
	"level" text NOT NULL,
	"event" text NOT NULL,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "channel_log_channel_idx" ON "channel_log" ("channel_id","id");
