-- Field service visit work (issue #16 items 4–5): photos before / after (the image is a ticket attachment), the quote
-- accepted before work starts, the customer's sign-off with the service report PDF, one-time sign-off links.
CREATE TABLE "field_visit_photos" (
	"id" uuid PRIMARY KEY NOT NULL,
	"visit_id" uuid NOT NULL,
	"phase" text NOT NULL,
	"attachment_id" uuid NOT NULL,
	"width" integer NOT NULL,
	"height" integer NOT NULL,
	"has_location" boolean DEFAULT false NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "field_visit_photos_visit_idx" ON "field_visit_photos" USING btree ("visit_id","created_at");
--> statement-breakpoint
CREATE TABLE "field_visit_quotes" (
	"id" uuid PRIMARY KEY NOT NULL,
	"visit_id" uuid NOT NULL,
	"items" jsonb NOT NULL,
	"total_fen" integer NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"accepted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE UNIQUE INDEX "field_visit_quotes_visit_key" ON "field_visit_quotes" USING btree ("visit_id");
--> statement-breakpoint
CREATE TABLE "field_visit_signoffs" (
	"visit_id" uuid PRIMARY KEY NOT NULL,
	"method" text NOT NULL,
	"rating" integer NOT NULL,
	"comment" text,
	"signature" bytea,
	"report_attachment_id" uuid NOT NULL,
	"signed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "field_signoff_links" (
	"id" uuid PRIMARY KEY NOT NULL,
	"visit_id" uuid NOT NULL,
	"token_hash" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "field_signoff_links_token_key" ON "field_signoff_links" USING btree ("token_hash");
--> statement-breakpoint
CREATE INDEX "field_signoff_links_visit_idx" ON "field_signoff_links" USING btree ("visit_id");
