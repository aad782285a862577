CREATE TABLE "kb_categories" (
	"id" uuid PRIMARY KEY NOT NULL,
	"parent_id" uuid,
	"name" text NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "kb_categories_parent_name_key" ON "kb_categories" USING btree (coalesce("parent_id", '00000000-0000-0000-0000-000000000000'::uuid),"name");
--> statement-breakpoint
CREATE TABLE "kb_category_experts" (
	"category_id" uuid NOT NULL,
	"staff_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "kb_category_experts_category_id_staff_id_pk" PRIMARY KEY("category_id","staff_id")
);
--> statement-breakpoint
CREATE INDEX "kb_category_experts_staff_idx" ON "kb_category_experts" USING btree ("staff_id");
--> statement-breakpoint
CREATE TABLE "kb_items" (
	"id" uuid PRIMARY KEY NOT NULL,
	"kind" text DEFAULT 'article' NOT NULL,
	"title" text NOT NULL,
	"body" text DEFAULT '' NOT NULL,
	"variants" text[] DEFAULT '{}'::text[] NOT NULL,
	"category_id" uuid NOT NULL,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"scenario" text,
	"audience" text DEFAULT 'internal' NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"status_reason" text,
	"owner_id" uuid,
	"author_id" uuid,
	"review_due_on" date,
	"version" integer DEFAULT 1 NOT NULL,
	"published_version" integer,
	"helpful_count" integer DEFAULT 0 NOT NULL,
	"not_helpful_count" integer DEFAULT 0 NOT NULL,
	"used_count" integer DEFAULT 0 NOT NULL,
	"published_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "kb_items_status_idx" ON "kb_items" USING btree ("status","id");
--> statement-breakpoint
CREATE INDEX "kb_items_category_idx" ON "kb_items" USING btree ("category_id","id");
--> statement-breakpoint
CREATE INDEX "kb_items_author_idx" ON "kb_items" USING btree ("author_id");
--> statement-breakpoint
CREATE TABLE "kb_versions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"item_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"kind" text NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"variants" text[] DEFAULT '{}'::text[] NOT NULL,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"category_id" uuid NOT NULL,
	"scenario" text,
	"audience" text NOT NULL,
	"author_id" uuid,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "kb_versions_item_version_key" ON "kb_versions" USING btree ("item_id","version");
--> statement-breakpoint
CREATE TABLE "kb_reviews" (
	"id" uuid PRIMARY KEY NOT NULL,
	"item_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"reviewer_id" uuid NOT NULL,
	"decision" text NOT NULL,
	"comment" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "kb_reviews_item_idx" ON "kb_reviews" USING btree ("item_id","created_at");
--> statement-breakpoint
CREATE TABLE "kb_contributions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"staff_id" uuid NOT NULL,
	"item_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"kind" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "kb_contributions_item_version_key" ON "kb_contributions" USING btree ("item_id","version");
--> statement-breakpoint
CREATE INDEX "kb_contributions_staff_idx" ON "kb_contributions" USING btree ("staff_id","at");
--> statement-breakpoint
CREATE TABLE "kb_usage" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"ticket_id" uuid NOT NULL,
	"item_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"staff_id" uuid,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "kb_usage_ticket_item_kind_key" ON "kb_usage" USING btree ("ticket_id","item_id","kind");
--> statement-breakpoint
CREATE INDEX "kb_usage_item_idx" ON "kb_usage" USING btree ("item_id");
--> statement-breakpoint
CREATE TABLE "kb_feedback" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"item_id" uuid NOT NULL,
	"helpful" integer NOT NULL,
	"customer_id" uuid,
	"query" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "kb_feedback_item_idx" ON "kb_feedback" USING btree ("item_id","at");
--> statement-breakpoint
CREATE TABLE "kb_vocabulary" (
	"id" uuid PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"term" text NOT NULL,
	"expansions" text[] DEFAULT '{}'::text[] NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "kb_vocabulary_kind_term_key" ON "kb_vocabulary" USING btree ("kind","term");
