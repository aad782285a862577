-- SMS channels (sms_aliyun, sms_tencent): delivery receipts on the outbox and the atomic per-number / per-channel counters.
ALTER TABLE "channel_outbox" ADD COLUMN "receipt" text;
--> statement-breakpoint
ALTER TABLE "channel_outbox" ADD COLUMN "receipt_code" text;
--> statement-breakpoint
ALTER TABLE "channel_outbox" ADD COLUMN "receipt_at" timestamp with time zone;
--> statement-breakpoint
CREATE INDEX "channel_outbox_external_idx" ON "channel_outbox" ("channel_id", "external_id");
--> statement-breakpoint
CREATE TABLE "sms_quota" (
  "key" text NOT NULL,
  "bucket" text NOT NULL,
  "count" integer DEFAULT 0 NOT NULL,
  "created_at" timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT "sms_quota_pkey" PRIMARY KEY ("key", "bucket")
);
--> statement-breakpoint
CREATE INDEX "sms_quota_created_idx" ON "sms_quota" ("created_at");
