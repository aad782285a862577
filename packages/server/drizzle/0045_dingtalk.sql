-- DingTalk (钉钉): the robot conversations (session webhook sealed, its expiry) and the staff → DingTalk userid mapping
-- for 工作通知 (work notifications), with a trigger that queues a notification for a mapped staff member.
CREATE TABLE "dingtalk_sessions" (
  "channel_id" uuid NOT NULL,
  "conversation_id" text NOT NULL,
  "sender_key" text NOT NULL,
  "customer_id" uuid NOT NULL,
  "conversation_type" text NOT NULL,
  "sender_staff_id" text,
  "session_webhook" text,
  "expires_at" timestamp with time zone,
  "updated_at" timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT "dingtalk_sessions_pkey" PRIMARY KEY ("channel_id", "conversation_id", "sender_key"),
  CONSTRAINT "dingtalk_sessions_webhook_encrypted" CHECK ("session_webhook" IS NULL OR "session_webhook" LIKE 'v1:%')
);
--> statement-breakpoint
CREATE INDEX "dingtalk_sessions_customer_idx" ON "dingtalk_sessions" ("customer_id", "updated_at");
--> statement-breakpoint
CREATE TABLE "staff_dingtalk" (
  "staff_id" uuid PRIMARY KEY NOT NULL,
  "userid" text NOT NULL,
  "enabled" boolean DEFAULT true NOT NULL,
  "updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE OR REPLACE FUNCTION chidu_notification_outbox_dingtalk() RETURNS trigger AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM staff_dingtalk d WHERE d.staff_id = NEW.recipient_id AND d.enabled) THEN
    INSERT INTO notification_outbox (notification_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER notifications_outbox_dingtalk AFTER INSERT ON notifications
  FOR EACH ROW EXECUTE FUNCTION chidu_notification_outbox_dingtalk();
