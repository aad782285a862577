-- Accept then ingest for DingTalk robots and WeCom customer service too, and the dead inbound view: when a message went
-- dead (dead_at) and a listing index for a channel's dead (or discarded) messages. status: queued | dead | discarded.
ALTER TABLE "channel_inbound" ADD COLUMN "dead_at" timestamp with time zone;
--> statement-breakpoint
CREATE INDEX "channel_inbound_dead_idx" ON "channel_inbound" ("channel_id","id") WHERE "status" <> 'queued';
