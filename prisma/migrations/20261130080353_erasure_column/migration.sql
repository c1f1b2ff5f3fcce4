-- AlterTable
ALTER TABLE "member"."profile" ADD COLUMN     "erased_at" TIMESTAMPTZ(3),
ALTER COLUMN "nickname" DROP NOT NULL;

-- Members erased before this column existed were marked by the nickname 'erased-<member id>':
-- they get the time of their member-erased event (now, when the outbox no longer holds it)
-- and lose the placeholder nickname.
UPDATE "member"."profile" p
SET "erased_at" = COALESCE(
      (SELECT min(o."created_at") FROM "member"."outbox" o WHERE o."topic" = 'member.member-erased.v1' AND o."key" = p."member_id"::text),
      now()),
    "nickname" = NULL
WHERE p."nickname" = 'erased-' || p."member_id"::text;
