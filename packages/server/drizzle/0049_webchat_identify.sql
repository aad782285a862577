-- Web chat visitor identification (issue #14 item 3): how and when a visitor proved who they are.
ALTER TABLE "webchat_visitors" ADD COLUMN "verified_at" timestamp with time zone;
--> statement-breakpoint
ALTER TABLE "webchat_visitors" ADD COLUMN "verified_via" text;
--> statement-breakpoint
ALTER TABLE "webchat_visitors" ADD COLUMN "verified_phone" text;
