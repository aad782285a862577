-- Secrets at rest (issue #12): these columns hold AES-256-GCM ciphertext `v1:<keyId>:<iv>:<tag>:<ct>` sealed with
-- CHIDU_SECRET_KEY (src/lib/secretbox.ts). SQL cannot encrypt with the application key, so the CHECK constraints are
-- added NOT VALID (new writes must be sealed); at start the server seals any plain value left from before this
-- migration and then VALIDATEs them (src/lib/stored-secrets.ts).
ALTER TABLE "staff" ADD CONSTRAINT "staff_totp_secret_encrypted" CHECK ("totp_secret" IS NULL OR "totp_secret" LIKE 'v1:%') NOT VALID;
--> statement-breakpoint
ALTER TABLE "staff" ADD CONSTRAINT "staff_totp_pending_secret_encrypted" CHECK ("totp_pending_secret" IS NULL OR "totp_pending_secret" LIKE 'v1:%') NOT VALID;
--> statement-breakpoint
ALTER TABLE "notification_preferences" ADD CONSTRAINT "notification_preferences_webhook_url_encrypted" CHECK ("webhook_url" IS NULL OR "webhook_url" LIKE 'v1:%') NOT VALID;
--> statement-breakpoint
ALTER TABLE "notification_deliveries" ADD CONSTRAINT "notification_deliveries_webhook_target_encrypted" CHECK ("channel" <> 'webhook' OR "target" LIKE 'v1:%') NOT VALID;
--> statement-breakpoint
ALTER TABLE "measure_reports" ADD CONSTRAINT "measure_reports_webhook_target_encrypted" CHECK ("channel" <> 'webhook' OR "target" LIKE 'v1:%') NOT VALID;
--> statement-breakpoint
COMMENT ON COLUMN "staff"."totp_secret" IS 'ENCRYPTED at rest: v1:<keyId>:<iv>:<tag>:<ct> (AES-256-GCM, CHIDU_SECRET_KEY; see docs/security.md)';
--> statement-breakpoint
COMMENT ON COLUMN "staff"."totp_pending_secret" IS 'ENCRYPTED at rest: v1:<keyId>:<iv>:<tag>:<ct> (AES-256-GCM, CHIDU_SECRET_KEY; see docs/security.md)';
--> statement-breakpoint
COMMENT ON COLUMN "notification_preferences"."webhook_url" IS 'ENCRYPTED at rest (the URL carries the robot key): v1:<keyId>:<iv>:<tag>:<ct>';
--> statement-breakpoint
COMMENT ON COLUMN "notification_deliveries"."target" IS 'email address, or for webhook deliveries the ENCRYPTED URL (v1:<keyId>:…)';
--> statement-breakpoint
COMMENT ON COLUMN "measure_reports"."target" IS 'email address, or for webhook reports the ENCRYPTED URL (v1:<keyId>:…)';
