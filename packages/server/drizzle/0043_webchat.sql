-- Web chat widget (channel kind `webchat`): anonymous visitors (token hashed at rest, expiring) and the conversation's
-- event stream (visitor / agent messages, survey invitations) that the widget reads with a resume cursor (seq).
CREATE TABLE "webchat_visitors" (
  "id" uuid PRIMARY KEY NOT NULL,
  "channel_id" uuid NOT NULL,
  "customer_id" uuid NOT NULL,
  "token_hash" text NOT NULL,
  "expires_at" timestamp with time zone NOT NULL,
  "last_seen_at" timestamp with time zone,
  "online" boolean DEFAULT false NOT NULL,
  "created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "webchat_visitors_token_key" ON "webchat_visitors" ("token_hash");
--> statement-breakpoint
CREATE INDEX "webchat_visitors_customer_idx" ON "webchat_visitors" ("customer_id");
--> statement-breakpoint
CREATE TABLE "webchat_events" (
  "seq" bigserial PRIMARY KEY NOT NULL,
  "visitor_id" uuid NOT NULL,
  "ticket_id" uuid,
  "kind" text NOT NULL,
  "author" text NOT NULL,
  "body" text DEFAULT '' NOT NULL,
  "attachment_id" uuid,
  "reply_id" uuid,
  "client_id" text,
  "data" jsonb DEFAULT '{}'::jsonb NOT NULL,
  "created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "webchat_events_client_key" ON "webchat_events" ("visitor_id", "client_id");
--> statement-breakpoint
CREATE INDEX "webchat_events_visitor_idx" ON "webchat_events" ("visitor_id", "seq");
--> statement-breakpoint
CREATE INDEX "webchat_events_ticket_idx" ON "webchat_events" ("ticket_id", "seq");
