CREATE TABLE "calendar_assignments" (
	"scope" text NOT NULL,
	"key" text NOT NULL,
	"calendar_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "calendar_assignments_scope_key_pk" PRIMARY KEY("scope","key")
);
--> statement-breakpoint
CREATE TABLE "calendars" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"time_zone" text NOT NULL,
	"weekly" jsonb NOT NULL,
	"holidays" text,
	"overrides" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "improvement_actions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"standard_id" uuid NOT NULL,
	"cause" text NOT NULL,
	"change" text NOT NULL,
	"owner_id" uuid NOT NULL,
	"due_date" date NOT NULL,
	"state" text DEFAULT 'open' NOT NULL,
	"done_at" timestamp with time zone,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notification_deliveries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"notification_id" bigint NOT NULL,
	"recipient_id" uuid NOT NULL,
	"channel" text NOT NULL,
	"target" text NOT NULL,
	"payload" jsonb NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_error" text,
	"response_status" integer,
	"sent_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notification_outbox" (
	"notification_id" bigint PRIMARY KEY NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notification_preferences" (
	"staff_id" uuid PRIMARY KEY NOT NULL,
	"in_app" boolean DEFAULT true NOT NULL,
	"email_enabled" boolean DEFAULT false NOT NULL,
	"email_address" text,
	"webhook_enabled" boolean DEFAULT false NOT NULL,
	"webhook_url" text,
	"webhook_format" text DEFAULT 'generic' NOT NULL,
	"quiet_hours" jsonb,
	"kinds" text[] DEFAULT '{}'::text[] NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "standard_actions" (
	"instance_id" uuid NOT NULL,
	"action" text NOT NULL,
	"step" integer NOT NULL,
	"standard_id" uuid NOT NULL,
	"ticket_id" uuid NOT NULL,
	"scheduled_at" timestamp with time zone NOT NULL,
	"fired_at" timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
	"late" boolean DEFAULT false NOT NULL,
	"worker" text,
	CONSTRAINT "standard_actions_instance_id_action_step_pk" PRIMARY KEY("instance_id","action","step")
);
--> statement-breakpoint
CREATE TABLE "standard_instances" (
	"id" uuid PRIMARY KEY NOT NULL,
	"standard_id" uuid NOT NULL,
	"version_id" uuid NOT NULL,
	"code" text NOT NULL,
	"ticket_id" uuid NOT NULL,
	"cycle" integer DEFAULT 1 NOT NULL,
	"state" text NOT NULL,
	"calendar_id" uuid,
	"started_at" timestamp with time zone NOT NULL,
	"limit_ms" bigint NOT NULL,
	"consumed_ms" bigint DEFAULT 0 NOT NULL,
	"segment_started_at" timestamp with time zone,
	"due_at" timestamp with time zone,
	"paused_at" timestamp with time zone,
	"met_at" timestamp with time zone,
	"breached_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"end_reason" text,
	"warnings_sent" integer DEFAULT 0 NOT NULL,
	"escalations_sent" integer DEFAULT 0 NOT NULL,
	"next_action_at" timestamp with time zone,
	"next_action" text,
	"late" boolean DEFAULT false NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"owner_id" uuid,
	"team_id" uuid,
	"channel" text,
	"tier" text,
	"ticket_type" text,
	"priority" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "standard_versions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"standard_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"definition" jsonb NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "standards" (
	"id" uuid PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"current_version_id" uuid NOT NULL,
	"current_version" integer DEFAULT 1 NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"template_key" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "calendar_assignments" ADD CONSTRAINT "calendar_assignments_calendar_id_calendars_id_fk" FOREIGN KEY ("calendar_id") REFERENCES "public"."calendars"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "improvement_actions" ADD CONSTRAINT "improvement_actions_standard_id_standards_id_fk" FOREIGN KEY ("standard_id") REFERENCES "public"."standards"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "standard_versions" ADD CONSTRAINT "standard_versions_standard_id_standards_id_fk" FOREIGN KEY ("standard_id") REFERENCES "public"."standards"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "calendar_assignments_calendar_idx" ON "calendar_assignments" USING btree ("calendar_id");--> statement-breakpoint
CREATE UNIQUE INDEX "calendars_name_key" ON "calendars" USING btree ("name");--> statement-breakpoint
CREATE INDEX "improvement_actions_standard_idx" ON "improvement_actions" USING btree ("standard_id","id");--> statement-breakpoint
CREATE INDEX "notification_deliveries_due_idx" ON "notification_deliveries" USING btree ("next_attempt_at") WHERE "notification_deliveries"."state" IN ('pending', 'sending');--> statement-breakpoint
CREATE INDEX "notification_deliveries_notification_idx" ON "notification_deliveries" USING btree ("notification_id");--> statement-breakpoint
CREATE UNIQUE INDEX "notification_deliveries_once_key" ON "notification_deliveries" USING btree ("notification_id","channel");--> statement-breakpoint
CREATE INDEX "standard_actions_standard_idx" ON "standard_actions" USING btree ("standard_id","scheduled_at");--> statement-breakpoint
CREATE INDEX "standard_instances_next_idx" ON "standard_instances" USING btree ("next_action_at") WHERE "standard_instances"."next_action_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "standard_instances_ticket_idx" ON "standard_instances" USING btree ("ticket_id");--> statement-breakpoint
CREATE INDEX "standard_instances_standard_idx" ON "standard_instances" USING btree ("standard_id","started_at");--> statement-breakpoint
CREATE UNIQUE INDEX "standard_instances_open_key" ON "standard_instances" USING btree ("standard_id","ticket_id") WHERE "standard_instances"."ended_at" IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "standard_versions_standard_version_key" ON "standard_versions" USING btree ("standard_id","version");--> statement-breakpoint
CREATE UNIQUE INDEX "standards_code_key" ON "standards" USING btree ("code");--> statement-breakpoint
CREATE INDEX "standards_active_idx" ON "standards" USING btree ("active");--> statement-breakpoint
-- Notifications for recipients with an external channel (email / webhook) are queued for the delivery worker
-- in the same transaction as the notification itself (nothing is lost if a process dies).
CREATE OR REPLACE FUNCTION chidu_notification_outbox() RETURNS trigger AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM notification_preferences p WHERE p.staff_id = NEW.recipient_id AND (p.email_enabled OR p.webhook_enabled)) THEN
    INSERT INTO notification_outbox (notification_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER notifications_outbox AFTER INSERT ON notifications
  FOR EACH ROW EXECUTE FUNCTION chidu_notification_outbox();
