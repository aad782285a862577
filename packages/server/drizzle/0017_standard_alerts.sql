CREATE TABLE "standard_alerts" (
	"standard_id" uuid NOT NULL,
	"period_start" timestamp with time zone NOT NULL,
	"below" boolean DEFAULT false NOT NULL,
	"value" double precision,
	"alerted_at" timestamp with time zone,
	"recovered_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "standard_alerts_standard_id_period_start_pk" PRIMARY KEY("standard_id","period_start")
);
