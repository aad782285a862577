-- Readable approval numbers (审批单号): SP + the organisation's calendar date + a per-day sequence, as ticket numbers
-- (SP20261205-0012). Existing approvals are numbered by their creation day in the default organisation time zone.
CREATE TABLE "approval_counters" (
	"day" text PRIMARY KEY NOT NULL,
	"value" integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE "approvals" ADD COLUMN "number" text;
--> statement-breakpoint
UPDATE "approvals" SET "number" = n."number"
FROM (
	SELECT "id", 'SP' || d || '-' || lpad((row_number() OVER (PARTITION BY d ORDER BY "id"))::text, 4, '0') AS "number"
	FROM (SELECT "id", to_char("created_at" AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') AS d FROM "approvals") x
) n
WHERE "approvals"."id" = n."id";
--> statement-breakpoint
INSERT INTO "approval_counters" ("day", "value")
SELECT substr("number", 3, 8), count(*)::int FROM "approvals" GROUP BY 1
ON CONFLICT ("day") DO UPDATE SET "value" = EXCLUDED."value";
--> statement-breakpoint
ALTER TABLE "approvals" ALTER COLUMN "number" SET NOT NULL;
--> statement-breakpoint
CREATE UNIQUE INDEX "approvals_number_key" ON "approvals" USING btree ("number");
