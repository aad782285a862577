-- WeCom (企业微信): the 微信客服 sync cursor per channel (kf/sync_msg next_cursor), and notifications to employees by
-- a WeCom application (企业微信应用消息): per-user switch and WeCom userid; the outbox trigger also queues for them.
ALTER TABLE "channels" ADD COLUMN "sync_cursor" text;
--> statement-breakpoint
ALTER TABLE "notification_preferences" ADD COLUMN "wecom_enabled" boolean DEFAULT false NOT NULL;
--> statement-breakpoint
ALTER TABLE "notification_preferences" ADD COLUMN "wecom_user_id" text;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION chidu_notification_outbox() RETURNS trigger AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM notification_preferences p WHERE p.staff_id = NEW.recipient_id AND (p.email_enabled OR p.webhook_enabled OR p.wecom_enabled)) THEN
    INSERT INTO notification_outbox (notification_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
