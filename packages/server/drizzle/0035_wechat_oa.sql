-- WeChat Official Account channel (issue #14 item 4) and the start of item 8: a customer's identities on the channels
-- (openid, unionid …), unique per kind and value, so a returning WeChat user finds their customer. `last_in_at` is the
-- time of their last message (the platform's 48-hour customer-service reply window).
CREATE TABLE "customer_identities" (
	"id" uuid PRIMARY KEY NOT NULL,
	"customer_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"value" text NOT NULL,
	"channel_id" uuid,
	"last_in_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "customer_identities_kind_value_key" ON "customer_identities" ("kind","value");
--> statement-breakpoint
CREATE INDEX "customer_identities_customer_idx" ON "customer_identities" ("customer_id");
